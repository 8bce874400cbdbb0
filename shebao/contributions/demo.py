"""The demo city's contribution history, made by the real engine.

Settles every month from `first` to the month before `today`, imports a bank
collection file per month (collecting each unit's whole outstanding amount on the 15th
of the following month), collects nothing from the arrears units from `arrears_from` on,
skips one collection of the late payer (so its first month is paid late and carries a
late fee), closes every month but the last, and closes the pension accounts of every
finished year since `first`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F, Sum

from shebao.lib.money import format_fen
from shebao.lib.periods import Month, month_range
from shebao.pension.services import account_close_year, imported_years_register
from shebao.registry.models import Unit

from .bankfile import bankfile_import
from .models import UnitMonth
from .settlement import month_close, settlement_run

Say = Callable[[str], None]


def _bank_file(month: Month, numbers: dict[int, str], paid: dt.date,
               skip: set[int]) -> bytes:
    """Collect every unit's outstanding amount of bills up to `month` (one row a unit)."""
    outstanding = (UnitMonth.objects.filter(month__lte=int(month), total__gt=F("paid"))
                   .exclude(unit_id__in=skip).values("unit_id")
                   .annotate(due=Sum(F("total") - F("paid"))).order_by("unit_id"))
    lines = ["单位编号,费款所属期,金额,缴费日期"]
    lines += [f"{numbers[row['unit_id']]},{month},{format_fen(row['due'])},{paid}"
              for row in outstanding]
    return ("\n".join(lines) + "\n").encode("gb18030")


def demo_history(*, first: Month, today: dt.date, arrears_numbers: tuple[str, ...],
                 arrears_from: Month, late_number: str | None = None,
                 say: Say = print) -> None:
    last = Month.of(today).add(-1)
    numbers = dict(Unit.objects.values_list("id", "number"))
    skip = {uid for uid, n in numbers.items() if n in arrears_numbers}
    late = next((uid for uid, n in numbers.items() if n == late_number), None)
    imported_years_register()  # the imported account years are final: closes follow them
    for month in month_range(first, last):
        settlement_run(month, bill_month=month)
        paid = month.add(1).first_day() + dt.timedelta(days=14)
        if paid > today:
            continue  # not yet collected
        not_collected = set(skip) if month >= arrears_from else set()
        if late is not None and month == first:
            not_collected.add(late)
        bankfile_import(_bank_file(month, numbers, paid, not_collected),
                        filename=f"托收{month}.csv")
        if month < last:
            month_close(month)
        say(f"  核定与托收：{month}")
    for year in range(first.year, today.year):
        closed = account_close_year(year)
        say(f"  {year}年个人账户结息：{closed} 个账户")
