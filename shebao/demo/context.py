"""Policy figures the demo generator reads once, before it starts: all from `policy`.

Everything that is a policy figure comes from the policy table (policy_at and friends);
the only figures of our own are the approximate average wages before 2004, which the
policy table does not hold (it begins with the 2004 policy year).
"""

from __future__ import annotations

from dataclasses import dataclass

from shebao.lib.money import PPM
from shebao.lib.periods import Month
from shebao.policy.insurances import Insurance
from shebao.policy.selectors import (
    account_share_at,
    interest_factor_for_year,
    interest_rate_for_year,
    policy_at,
    policy_years,
)

from .common import mindex

# Wage history is kept from this policy year on, so that a million persons stay small.
FIRST_WAGE_YEAR = 2019

# Approximate average annual wage of Beijing's employees (yuan), 1992–2004, as reported
# in the city's statistical yearbooks; used only to size the imported demo accounts.
AVERAGE_ANNUAL_WAGE = {
    1992: 3402, 1993: 4523, 1994: 6540, 1995: 8144, 1996: 9579, 1997: 11019,
    1998: 12451, 1999: 13778, 2000: 16350, 2001: 19155, 2002: 21852, 2003: 24045,
    2004: 28348,
}


@dataclass(frozen=True, slots=True)
class PolicyYear:
    label: int
    first: int  # month index
    last: int  # month index
    average_wage: int  # fen a month: a third of the pension base ceiling


# [decision] The demo's account history is imported up to this year; the contribution
# engine makes everything after it (monthly settlement, credits, year-end interest).
IMPORTED_LAST_YEAR = 2024


@dataclass(frozen=True, slots=True)
class AccountYearRule:
    year: int
    share_ppm: int  # share of the base credited to the account
    rate_ppm: int  # interest rate (记账利率)
    factor_ppm: int  # interest factor on the year's credits (1.083 from 1998)
    average_wage: int  # fen a month: yearbook to 2004, then a third of the base ceiling


@dataclass(frozen=True)
class DemoPolicy:
    wage_years: tuple[PolicyYear, ...]
    floating: dict[int, tuple[int, ...]]
    account_years: tuple[AccountYearRule, ...]

    def floating_for(self, injury_class: int) -> tuple[int, ...]:
        return self.floating[injury_class]


def demo_policy_load(today_index: int) -> DemoPolicy:
    """Policy years up to the one holding today's month, injury factors, account rules."""
    years = []
    for fig in policy_years():
        first = mindex(int(fig.first_month))
        if fig.value < FIRST_WAGE_YEAR or first > today_index or fig.last_month is None:
            continue
        ceiling = policy_at(fig.first_month).base_upper[Insurance.PENSION].value
        years.append(PolicyYear(fig.value, first, mindex(int(fig.last_month)), ceiling // 3))
    scheme = policy_at(Month(2015, 10))
    floating = {cls: scheme.floating_allowed(cls) or (100,) for cls in scheme.injury_classes}
    return DemoPolicy(tuple(years), floating, tuple(_account_rules()))


def _account_rules() -> list[AccountYearRule]:
    rules = []
    for year in range(1996, IMPORTED_LAST_YEAR + 1):
        share = account_share_at(Month(year, 1))
        factor = interest_factor_for_year(year)
        if year in AVERAGE_ANNUAL_WAGE:
            average = AVERAGE_ANNUAL_WAGE[year] * 100 // 12
        else:
            average = policy_at(Month(year, 6)).base_upper[Insurance.PENSION].value // 3
        rules.append(AccountYearRule(
            year=year,
            share_ppm=share.value if share else 0,
            rate_ppm=interest_rate_for_year(year).value,
            # Before the 1998 rule the year's credits earn plain half-year interest.
            factor_ppm=factor.value if factor else PPM,
            average_wage=average,
        ))
    return rules
