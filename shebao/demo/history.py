"""Imported pension account history: the 1992–1995 account and the years to 2024.

The numbers of each year hold together the way the year-end close makes them
(DOMAIN.md, "Pension personal account"):
    interest_opening = round(opening × r)
    interest_credits = round(credits × r × factor / 2)      (factor 1.083 from 1998)
    closing = opening + credits + interest_opening + interest_credits
each rounded half-up to the fen; the first year's opening is the 1992–1995 balance.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from shebao.lib.money import apply_rates
from shebao.pension.models import AccountYear
from shebao.pension.services import year_interest

from .common import clamp, mindex
from .context import AVERAGE_ANNUAL_WAGE, AccountYearRule

ACCOUNT_1992_FIELDS = ("person", "personal_part", "unit_transferred_part", "months")
ACCOUNT_YEAR_FIELDS = (
    "person", "year", "opening", "months_paid", "average_base", "credits",
    "interest_opening", "interest_credits", "closing", "cumulative_months", "rate_ppm",
    "source",
)
# [decision] Demo figures, not policy: the personal contribution of 1992–1995 (2%, then
# 3% in 1995) and the share of the unit's contribution transferred to the account (3%).
PERSONAL_RATE_1992_PPM = {1992: 20_000, 1993: 20_000, 1994: 20_000, 1995: 30_000}
UNIT_TRANSFER_PPM = 30_000
IMPORTED = AccountYear.Source.IMPORTED.value
FIRST_1992 = mindex(199201)
LAST_1995 = mindex(199512)
# Before monthly detail (2004-11) a career is counted from its start; after, by spells.
LAST_IMPORTED_CAREER_YEAR = 2004


def monthly_average(year: int) -> int:
    """Beijing's approximate average monthly wage of a year, in fen."""
    return AVERAGE_ANNUAL_WAGE[year] * 100 // 12


def _months_in_year(career_start: int, year: int) -> int:
    first = max(career_start, mindex(year * 100 + 1))
    return max(0, mindex(year * 100 + 12) - first + 1)


def _base(ratio: float, year: int, average: int | None = None) -> int:
    """A person's monthly base of a year: whole yuan, within 60%–300% of the average."""
    average = monthly_average(year) if average is None else average
    wage = int(average * ratio) // 100 * 100
    return clamp(wage, average * 6 // 10 // 100 * 100, average * 3)


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


def account_years(person: int, career_start: int, ratio: float, opening: int,
                  cumulative: int, rules: tuple[AccountYearRule, ...],
                  rng: random.Random,
                  months_enrolled: Callable[[int], int]) -> list[tuple[object, ...]]:
    """Imported statements from the first year worked (1996 at the earliest) to the last
    imported year. Until 2004 the months come from the career start; from 2005 from the
    person's enrolment spells (`months_enrolled(year)`)."""
    rows: list[tuple[object, ...]] = []
    drift = 1.0
    for rule in rules:
        if rule.year <= LAST_IMPORTED_CAREER_YEAR:
            months = _months_in_year(career_start, rule.year)
        else:
            months = months_enrolled(rule.year)
        if not months and not rows and opening == 0:
            continue
        if months and rule.year <= LAST_IMPORTED_CAREER_YEAR and rng.random() < 0.06:
            months = rng.randint(0, months - 1)  # months not paid: a gap between jobs
        drift *= 1.0 + rng.gauss(0.01, 0.03)
        base = _base(ratio * drift, rule.year, rule.average_wage) if months else 0
        credits = months * apply_rates(base, rule.share_ppm)
        year = year_interest(opening, credits, rule.rate_ppm, rule.factor_ppm)
        cumulative += months
        rows.append((person, rule.year, opening, months, base, credits, year.interest_opening,
                     year.interest_credits, year.closing, cumulative, rule.rate_ppm, IMPORTED))
        opening = year.closing
    return rows
