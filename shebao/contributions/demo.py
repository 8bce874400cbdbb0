"""The demo city's contribution history, made by the real engine.

Settles every month from `first` to the month before `today`, imports a bank
collection file per month (built from the bills, paid on the 15th of the following
month), leaves the bills of the arrears units unpaid from `arrears_from` on, pays one
month of one unit late (so a late fee on a paid bill exists), closes every month but the
last, and closes the pension accounts of every finished year since `first`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from shebao.lib.money import format_fen
from shebao.lib.periods import Month, month_range
from shebao.pension.services import account_close_year
from shebao.registry.models import Unit

from .bankfile import bankfile_import
from .models import UnitMonth
from .settlement import month_close, settlement_run

Say = Callable[[str], None]


def _bank_file(bills: list[UnitMonth], numbers: dict[int, str], paid: dt.date) -> bytes:
    lines = ["单位编号,费款所属期,金额,缴费日期"]
    lines += [f"{numbers[b.unit_id]},{b.month},{format_fen(b.total - b.paid)},{paid}"
              for b in bills if b.total > b.paid]
    return ("\n".join(lines) + "\n").encode("gb18030")


def demo_history(*, first: Month, today: dt.date, arrears_numbers: tuple[str, ...],
                 arrears_from: Month, late_number: str | None = None,
                 say: Say = print) -> None:
    last = Month.of(today).add(-1)
    numbers = dict(Unit.objects.values_list("id", "number"))
    skip = {uid for uid, n in numbers.items() if n in arrears_numbers}
    late = next((uid for uid, n in numbers.items() if n == late_number), None)
    for month in month_range(first, last):
        settlement_run(month, bill_month=month)
        paid = month.add(1).first_day() + dt.timedelta(days=14)
        if paid > today:
            continue  # not yet collected
        bills = [b for b in UnitMonth.objects.filter(month=int(month))
                 if not (b.unit_id in skip and month >= arrears_from)
                 and not (b.unit_id == late and month == first)]
        bankfile_import(_bank_file(bills, numbers, paid), filename=f"托收{month}.csv")
        if late is not None and month == first.add(2):
            # the late payer settles its first month two months late
            late_bills = list(UnitMonth.objects.filter(unit_id=late, month=int(first)))
            bankfile_import(_bank_file(late_bills, numbers, paid + dt.timedelta(days=1)),
                            filename=f"托收补缴{first}.csv")
        if month < last:
            month_close(month)
        say(f"  核定与托收：{month}")
    for year in range(first.year, today.year):
        closed = account_close_year(year)
        say(f"  {year}年个人账户结息：{closed} 个账户")
