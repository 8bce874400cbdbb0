"""Late fees (滞纳金) on arrears.

fee = arrears × daily rate × days, counted from the day after the due date to the
payment date (or the date asked about). The daily rate is 0.2% before 2011-07-01
(国务院令第259号 art. 13) and 0.05% from then (社会保险法 art. 86); days on either side of
a change use their own rate. Computed exactly and rounded half-up to the fen once per
bill. Borne by the unit, never by the employee.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from shebao.lib.money import PPM
from shebao.lib.periods import Month
from shebao.policy.selectors import late_fee_daily_at


def late_days(due_date: dt.date, until: dt.date) -> int:
    """Days from the day after the due date to `until`, both included (0 if not late)."""
    return max((until - due_date).days, 0)


def late_fee_exact(amount: int, due_date: dt.date, until: dt.date) -> Fraction:
    """The unrounded fee in fen: additive over any split of the period."""
    if amount <= 0 or until <= due_date:
        return Fraction(0)
    total = Fraction(0)
    day = due_date + dt.timedelta(days=1)
    while day <= until:
        month = Month.of(day)
        segment_end = min(month.last_day(), until)
        days = (segment_end - day).days + 1
        total += Fraction(amount * late_fee_daily_at(month).value * days, PPM)
        day = segment_end + dt.timedelta(days=1)
    return total


def round_fen(value: Fraction) -> int:
    """Half-up to the fen (amounts here are never negative)."""
    return int((value + Fraction(1, 2)) // 1)


def late_fee(amount: int, due_date: dt.date, until: dt.date) -> int:
    """The fee on `amount` overdue since `due_date`, to `until`, in fen."""
    return round_fen(late_fee_exact(amount, due_date, until))
