"""Arrears (欠费) and late fees per unit and month, to any date.

A bill's total may include a late fee already billed (UnitMonth.late_fee, e.g. that of
an approved 补缴). Convention: payments to a bill settle its contributions first and its
billed late fee last, and a late fee accrues only on unpaid contributions, never on a
billed late fee. So the part of a bill still owed after its due date is its arrears
(欠费, `outstanding`, which includes an unpaid billed late fee), while the late fee
accruing on it is computed on its unpaid contributions alone. Once its contributions are
paid, a late bill's fee is final and charged to an open bill (payments.py): it is then
owed there, and no longer counted as pending here. Only final bills count: those an
unfinished settlement run is writing are left out (`runs.bill_provisional`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from django.db.models import F

from shebao.lib.periods import Month

from .latefee import late_fee_exact, round_fen
from .models import ARREARS_LATE_FEE, Allocation, LateFeeCharge, UnitMonth
from .runs import bill_provisional


@dataclass(frozen=True)
class ArrearsLine:
    month: Month
    due_date: dt.date
    total: int
    paid: int
    outstanding: int
    days_overdue: int
    late_fee: int  # accrued on the unpaid contributions to the date asked about
    billed_late_fee: int = 0  # billed with the bill (part of total and outstanding)
    # The bill month this bill's own (final) late fee was charged to, once its
    # contributions were paid: it is owed there, not here.
    charged_in: Month | None = None

    @property
    def pending_late_fee(self) -> int:
        """The late fee accrued here and not yet charged to any bill."""
        return 0 if self.charged_in is not None else self.late_fee


def pending_late_fee(lines: list[ArrearsLine]) -> int:
    return sum(x.pending_late_fee for x in lines)


def bill_late_fee(bill: UnitMonth, allocations: list[Allocation], as_of: dt.date) -> int:
    """Late fee of one bill to `as_of`: on each part of its contributions paid late, from
    the day after the due date to its payment date, and on the contributions still
    unpaid, to `as_of`.

    Not on the bill's billed late fee: the allocations, in payment-date order, settle the
    contributions (total − late_fee) first; an allocation counts only for what of them
    was still unpaid (total − late_fee − paid so far, clamped at 0), the rest of it
    pays the billed late fee. With no billed late fee every allocation counts in full.
    """
    contributions = bill.contributions_due
    fee = Fraction(0)
    paid_so_far = 0
    for alloc in sorted(allocations, key=lambda a: (a.paid_date, a.pk or 0)):
        if alloc.paid_date > as_of:
            break
        part = min(alloc.amount, max(contributions - paid_so_far, 0))
        fee += late_fee_exact(part, bill.due_date, alloc.paid_date)
        paid_so_far += alloc.amount
    fee += late_fee_exact(contributions - paid_so_far, bill.due_date, as_of)
    return round_fen(fee)


def arrears_for_units(unit_ids: list[int], as_of: dt.date) -> dict[int, list[ArrearsLine]]:
    """Per unit: bills past their due date on `as_of` not fully paid by then, or carrying
    late fees for late payment (with the month they were charged to, once charged).
    Three queries whatever the number of units and months."""
    bills = list(UnitMonth.objects.filter(unit_id__in=unit_ids, due_date__lt=as_of,
                                          total__gt=0)
                 .exclude(bill_provisional()).order_by("unit_id", "month"))
    allocs: dict[int, list[Allocation]] = defaultdict(list)
    for a in Allocation.objects.filter(unit_month__in=[b.id for b in bills]):
        allocs[a.unit_month_id].append(a)
    charged = {(unit_id, ref): Month.from_int(bill_month) for unit_id, ref, bill_month in
               LateFeeCharge.objects.filter(unit_id__in=unit_ids, reason=ARREARS_LATE_FEE)
               .values_list("unit_id", "ref", "bill_month")}
    result: dict[int, list[ArrearsLine]] = {uid: [] for uid in unit_ids}
    for bill in bills:
        paid = sum(a.amount for a in allocs[bill.id] if a.paid_date <= as_of)
        fee = bill_late_fee(bill, allocs[bill.id], as_of)
        outstanding = bill.total - paid
        if outstanding <= 0 and fee == 0:
            continue
        settled = paid >= bill.contributions_due
        result[bill.unit_id].append(ArrearsLine(
            month=Month.from_int(bill.month), due_date=bill.due_date, total=bill.total,
            paid=paid, outstanding=outstanding,
            days_overdue=(as_of - bill.due_date).days if outstanding > 0 else 0,
            late_fee=fee, billed_late_fee=bill.late_fee,
            charged_in=charged.get((bill.unit_id, str(bill.month))) if settled else None,
        ))
    return result


def arrears_for_unit(unit_id: int, as_of: dt.date) -> list[ArrearsLine]:
    return arrears_for_units([unit_id], as_of)[unit_id]


def units_in_arrears(as_of: dt.date) -> set[int]:
    """Ids of units with any bill unpaid after its due date (one query).

    Uses the bills' current `paid`: payments dated after `as_of` count as paid here."""
    return set(UnitMonth.objects.filter(due_date__lt=as_of, total__gt=F("paid"))
               .exclude(bill_provisional()).values_list("unit_id", flat=True).distinct())
