"""Re-settling the months a policy change reaches (limits published late, corrections).

Beijing publishes a policy year's base limits months after the year began (2025's came
in September), so months are settled with the figures at hand and, once the published
ones are loaded (`shebao policy load`), every settled month they cover is settled again
by `settlement_run`: a month still open gets its regular rows replaced, a closed month
keeps them and gets difference rows (补差) billed in the first open month after the last
closed one. Settlement compares with the rows already billed, so a second run bills
nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q

from shebao.audit.services import SYSTEM, Actor
from shebao.lib.periods import Month
from shebao.policy.loader import PolicyLoad, policy_load

from .models import MonthStatus, UnitMonth
from .settlement import SettlementResult, settlement_run


def first_open_month(at_least: Month) -> Month:
    """The first bill month from `at_least` on that is not closed: `at_least` itself, or
    the month after the last closed one. Months close for every unit at once
    (`month_close`), so the last closed month is that of any unit."""
    closed = (UnitMonth.objects.filter(month__gte=int(at_least), status=MonthStatus.CLOSED)
              .aggregate(last=Max("month"))["last"])
    return at_least if closed is None else Month.from_int(closed).add(1)


def settled_months(periods: Iterable[tuple[int, int | None]]) -> list[Month]:
    """The months within `periods` (YYYYMM, inclusive, None = open-ended) that have been
    settled: some unit's bill of that month has regular rows (persons > 0), so a bill
    made only of 补差 or late fees does not count. One query."""
    reach = Q(pk__in=[])
    for first, last in periods:
        reach |= Q(month__gte=first) & (Q() if last is None else Q(month__lte=last))
    months = (UnitMonth.objects.filter(reach, persons__gt=0)
              .values_list("month", flat=True).distinct().order_by("month"))
    return [Month.from_int(m) for m in months]


def months_resettle(months: Iterable[Month], *,
                    actor: Actor = SYSTEM) -> list[tuple[SettlementResult, Month]]:
    """Settle each month again with the figures now loaded; closed months' differences
    go to their first open month. Returns each result with its bill month."""
    done = []
    for month in sorted(months):
        bill = first_open_month(month)
        done.append((settlement_run(month, bill_month=bill, actor=actor), bill))
    return done


def policy_publish(*, actor: Actor = SYSTEM, dry_run: bool = False,
                   ) -> tuple[PolicyLoad, list[tuple[SettlementResult, Month]]]:
    """Load the shipped policy file and settle again every settled month a changed
    settlement figure covers, in one transaction: the figures never apply without their
    differences. `dry_run` does it all and rolls it back (for the report)."""
    with transaction.atomic():
        load = policy_load(actor=actor)
        resettled = months_resettle(settled_months(load.settlement_periods()), actor=actor)
        if dry_run:
            transaction.set_rollback(True)
    return load, resettled
