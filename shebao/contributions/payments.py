"""Payments (实缴): recording money received and allocating it to bills.

A payment settles the unit's oldest unpaid final bill first, then the next (a bill an
unfinished settlement run is writing is not final: `runs.bill_provisional`). Within a bill it
pays the contributions first and a billed late fee last (the convention `arrears`
computes late fees by). A bill paid in full, billed late fee included, credits the
pension personal accounts of its people (set-based). Whatever is left stays on the
payment as unallocated and is applied when a settlement run finishes.

When a payment completes a bill's contributions after its due date, the late fee of
that bill becomes final (on each part, from the day after the due date to the day it
was paid: `arrears.bill_late_fee`) and is charged (欠费滞纳金) to an open bill month (that
of the payment unless closed), once per bill; the same payment then goes on to the
charged bill.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.money import apply_rates_sql, format_fen
from shebao.lib.periods import Month
from shebao.pension.services import credit_year, last_closed_year
from shebao.policy.selectors import account_share_at
from shebao.registry.models import Unit

from .arrears import bill_late_fee
from .models import (
    ARREARS_LATE_FEE,
    Allocation,
    LateFeeCharge,
    Payment,
    PaymentBatch,
    UnitMonth,
)
from .resettle import first_open_month
from .runs import bill_provisional
from .settlement import bills_refresh


class PaymentError(ValueError):
    """A payment the rules refuse; the message is Chinese."""


@dataclass(frozen=True)
class PaymentInput:
    unit: Unit
    amount: int
    paid_date: dt.date
    month: Month | None = None
    reference: str = ""


def _allocate(payment: Payment, amount: int) -> tuple[int, int]:
    """Apply up to `amount` of the payment to the unit's unpaid bills, oldest first.

    Returns what could not be applied and the late fees charged on the way."""
    remaining, charged = amount, 0
    while remaining:
        bills = list(UnitMonth.objects.select_for_update()
                     .filter(unit_id=payment.unit_id, total__gt=F("paid"))
                     .exclude(bill_provisional()).order_by("month"))
        fee = 0
        for bill in bills:
            part = min(remaining, bill.total - bill.paid)
            Allocation.objects.create(payment=payment, unit_month=bill, amount=part,
                                      paid_date=payment.paid_date)
            completes = bill.paid < bill.contributions_due <= bill.paid + part
            bill.paid += part
            bill.save(update_fields=["paid"])
            remaining -= part
            if bill.paid == bill.total:
                credits_book(bill, payment.paid_date)
            if completes and payment.paid_date > bill.due_date:
                fee = arrears_late_fee_charge(bill, payment.paid_date)
                if fee:
                    break  # the charged bill is read again, with the fee in its total
            if remaining == 0:
                break
        charged += fee
        if not fee:
            break
    return remaining, charged


def charge_month(paid_date: dt.date) -> Month:
    """The bill month a late fee paid on `paid_date` is charged to: the month of the
    payment, or the first month after the last closed one if that is closed already
    (e.g. a bank file imported after its month closed)."""
    return first_open_month(Month.of(paid_date))


def arrears_late_fee_charge(bill: UnitMonth, paid_date: dt.date) -> int:
    """Charge the final late fee of `bill`, whose contributions were completed on
    `paid_date` after its due date, to the open bill month `charge_month` gives (once
    per bill).
    Returns the fee charged (0 when it rounds to nothing or was charged already)."""
    fee = bill_late_fee(bill, list(bill.allocations.all()), paid_date)
    if fee <= 0 or LateFeeCharge.objects.filter(unit_id=bill.unit_id, reason=ARREARS_LATE_FEE,
                                                ref=str(bill.month)).exists():
        return 0
    month = charge_month(paid_date)
    LateFeeCharge.objects.create(unit_id=bill.unit_id, bill_month=int(month), amount=fee,
                                 reason=ARREARS_LATE_FEE, ref=str(bill.month))
    bills_refresh(month, bill.unit_id, bill.unit_id)
    return fee


def credits_book(bill: UnitMonth, paid_date: dt.date) -> int:
    """Credit the pension accounts for a fully paid bill: base × account share.

    Idempotent: for each contribution month in the bill, each person's credited base is
    brought to the base of that month's paid bills; only the difference is booked (so
    re-settled and back-paid months are credited once). Booked in the account year of
    the contribution month while it is open, else in the year paid as 补记 (`credit_year`,
    decision 0011); the share is that of the contribution month (11% to 2005-12, 8% from
    2006-01).
    """
    booked = 0
    last_closed = last_closed_year(for_booking=True)
    with connection.cursor() as cur:
        cur.execute(
            """SELECT DISTINCT month FROM contributions_contribution
               WHERE unit_id = %s AND bill_month = %s AND pension_base IS NOT NULL""",
            [bill.unit_id, bill.month],
        )
        months = [r[0] for r in cur.fetchall()]
        for m in months:
            share = account_share_at(Month.from_int(m))
            if share is None:
                continue
            cur.execute(
                f"""INSERT INTO pension_accountcredit
                     (person_id, unit_id, year, month, base, amount, booked_at)
                   SELECT t.person_id, %(unit)s, %(year)s, %(m)s,
                          t.base - COALESCE(b.base, 0),
                          {apply_rates_sql('t.base', '%(ppm)s')}
                            - COALESCE(b.amount, 0),
                          %(now)s
                   FROM (SELECT c.person_id, CAST(SUM(c.pension_base) AS BIGINT) AS base
                         FROM contributions_contribution c
                         JOIN contributions_unitmonth um ON um.unit_id = c.unit_id
                              AND um.month = c.bill_month AND um.paid >= um.total
                         WHERE c.unit_id = %(unit)s AND c.month = %(m)s
                           AND c.pension_base IS NOT NULL
                         GROUP BY c.person_id) t
                   LEFT JOIN (SELECT person_id, CAST(SUM(base) AS BIGINT) AS base,
                                     CAST(SUM(amount) AS BIGINT) AS amount
                              FROM pension_accountcredit
                              WHERE unit_id = %(unit)s AND month = %(m)s
                              GROUP BY person_id) b ON b.person_id = t.person_id
                   WHERE t.base <> COALESCE(b.base, 0)""",
                {"year": credit_year(m // 100, paid_date.year, last_closed),
                 "ppm": share.value, "now": dt.datetime.now(dt.UTC), "unit": bill.unit_id,
                 "m": m},
            )
            booked += max(cur.rowcount, 0)
    return booked


def payment_record(data: PaymentInput, *, source: str = Payment.Source.COUNTER,
                   batch: PaymentBatch | None = None, actor: Actor = SYSTEM) -> Payment:
    """Record one payment and allocate it (one transaction, one audit event)."""
    if data.amount <= 0:
        raise PaymentError("缴费金额必须大于零")
    if data.paid_date > dt.date.today() + dt.timedelta(days=1):
        raise PaymentError(f"缴费日期 {data.paid_date} 不能晚于今天")
    with transaction.atomic():
        payment = Payment.objects.create(
            unit=data.unit, amount=data.amount, paid_date=data.paid_date,
            month=int(data.month) if data.month else None, source=source,
            reference=data.reference, batch=batch,
        )
        payment.unallocated, charged = _allocate(payment, data.amount)
        payment.save(update_fields=["unallocated"])
        event_record(actor=actor, action="payment_record", object_type="unit",
                     object_ref=data.unit.number,
                     after={"amount": format_fen(data.amount),
                            "paid_date": data.paid_date.isoformat(),
                            "unallocated": format_fen(payment.unallocated),
                            "late_fee_charged": format_fen(charged),
                            "reference": data.reference})
    return payment


def unallocated_apply(unit: Unit) -> int:
    """Apply payments' unallocated remainders to bills settled since (oldest first)."""
    applied = 0
    with transaction.atomic():
        for payment in (Payment.objects.select_for_update()
                        .filter(unit=unit, unallocated__gt=0).order_by("paid_date", "id")):
            left, _ = _allocate(payment, payment.unallocated)
            applied += payment.unallocated - left
            payment.unallocated = left
            payment.save(update_fields=["unallocated"])
    return applied
