"""Imported pension account history: the 1992–1995 account (its balance is the first
imported year's opening; the years from 1996 are generated in SQL, see `imported`)."""

from __future__ import annotations

import random

from shebao.lib.money import apply_rates

from .common import clamp, mindex
from .context import AVERAGE_ANNUAL_WAGE

ACCOUNT_1992_FIELDS = ("person", "personal_part", "unit_transferred_part", "months")
# [decision] Demo figures, not policy: the personal contribution of 1992–1995 (2%, then
# 3% in 1995) and the share of the unit's contribution transferred to the account (3%).
PERSONAL_RATE_1992_PPM = {1992: 20_000, 1993: 20_000, 1994: 20_000, 1995: 30_000}
UNIT_TRANSFER_PPM = 30_000
FIRST_1992 = mindex(199201)
LAST_1995 = mindex(199512)


def monthly_average(year: int) -> int:
    """Beijing's approximate average monthly wage of a year, in fen."""
    return AVERAGE_ANNUAL_WAGE[year] * 100 // 12


def _months_in_year(career_start: int, year: int) -> int:
    first = max(career_start, mindex(year * 100 + 1))
    return max(0, mindex(year * 100 + 12) - first + 1)


def base_bounds(average: int) -> tuple[int, int]:
    """A person's monthly base of a year lies within 60%–300% of the average (whole yuan)."""
    return average * 6 // 10 // 100 * 100, average * 3


def _base(ratio: float, year: int) -> int:
    """A person's monthly base of a year: whole yuan, within 60%–300% of the average."""
    average = monthly_average(year)
    return clamp(int(average * ratio) // 100 * 100, *base_bounds(average))


def account_1992(person: int, career_start: int, ratio: float,
                 rng: random.Random) -> tuple[tuple[object, ...], int, int]:
    """The 1992–1995 row, its balance and months (≤ 48) for a person working before 1996."""
    personal = unit_part = months = 0
    for year in range(1992, 1996):
        n = _months_in_year(max(career_start, FIRST_1992), year)
        if n and rng.random() < 0.05:
            n = rng.randint(1, n)  # a gap between jobs
        base = _base(ratio, year)
        personal += n * apply_rates(base, PERSONAL_RATE_1992_PPM[year])
        unit_part += n * apply_rates(base, UNIT_TRANSFER_PPM)
        months += n
    return (person, personal, unit_part, months), personal + unit_part, months
