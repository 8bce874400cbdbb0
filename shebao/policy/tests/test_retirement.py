"""The statutory retirement age from the shipped data: worked examples from the reform's
table (《国务院关于渐进式延迟法定退休年龄的办法》附件), the ceiling, monotony, and a
malformed file refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.lib.periods import Month
from shebao.policy.retirement import (
    RETIREMENT_CSV,
    RetirementDataError,
    read_cohorts,
    retirement_age_months,
)

HEADER = ("sex,category,born_from,born_to,age_years,delay_every_birth_months,"
          "max_delay_months,confidence,source,note\n")


def years_months(months: int) -> tuple[int, int]:
    return months // 12, months % 12


# (sex, category, birth, age as (years, months), the month they retire)
@pytest.mark.parametrize(("sex", "category", "birth", "age", "retires"), [
    ("M", "", Month(1964, 12), (60, 0), Month(2024, 12)),
    ("M", "", Month(1965, 1), (60, 1), Month(2025, 2)),
    ("M", "", Month(1965, 4), (60, 1), Month(2025, 5)),
    ("M", "", Month(1965, 5), (60, 2), Month(2025, 7)),
    ("M", "", Month(1970, 1), (61, 4), Month(2031, 5)),
    ("M", "", Month(1976, 8), (62, 11), Month(2039, 7)),
    ("M", "", Month(1976, 9), (63, 0), Month(2039, 9)),
    ("M", "", Month(1990, 1), (63, 0), Month(2053, 1)),
    ("F", "cadre", Month(1969, 12), (55, 0), Month(2024, 12)),
    ("F", "cadre", Month(1970, 1), (55, 1), Month(2025, 2)),
    ("F", "cadre", Month(1981, 9), (58, 0), Month(2039, 9)),
    ("F", "worker", Month(1974, 12), (50, 0), Month(2024, 12)),
    ("F", "worker", Month(1975, 1), (50, 1), Month(2025, 2)),
    ("F", "worker", Month(1975, 3), (50, 2), Month(2025, 5)),
    ("F", "worker", Month(1984, 10), (54, 11), Month(2039, 9)),
    ("F", "worker", Month(1984, 11), (55, 0), Month(2039, 11)),
])
def test_the_reform_table(sex, category, birth, age, retires):
    months = retirement_age_months(sex, category, birth)
    assert years_months(months) == age
    assert birth.add(months) == retires


@given(st.sampled_from([("M", ""), ("F", "cadre"), ("F", "worker")]),
       st.integers(1930, 2010), st.integers(1, 12), st.integers(1, 240))
def test_later_births_never_retire_younger_and_ages_stay_in_the_law(group, year, month, later):
    sex, category = group
    birth = Month(year, month)
    age = retirement_age_months(sex, category, birth)
    assert age <= retirement_age_months(sex, category, birth.add(later))
    low, high = {"M": (60, 63), "cadre": (55, 58), "worker": (50, 55)}[category or sex]
    assert low * 12 <= age <= high * 12
    # and the retirement month itself never goes backwards
    assert birth.add(age) <= birth.add(later).add(
        retirement_age_months(sex, category, birth.add(later)))


def test_the_shipped_file_is_well_formed():
    cohorts = read_cohorts(RETIREMENT_CSV)
    assert {(c.sex, c.category) for c in cohorts} == {("M", ""), ("F", "cadre"),
                                                      ("F", "worker")}


@pytest.mark.parametrize(("rows", "message"), [
    ("M,,,1964-12,60,,,high,s,\nM,,1965-02,,60,4,36,high,s,\n", "gap or overlap"),
    ("M,,,1964-12,60,,,high,s,\nM,,1964-12,,60,4,36,high,s,\n", "gap or overlap"),
    ("M,,1960-01,,60,,,high,s,\n", "open at both ends"),
    ("X,,,,60,,,high,s,\n", "sex must be M or F"),
    ("M,,,,60,,,high,,\n", "needs its source"),
    ("M,,,,sixty,,,high,s,\n", "whole number"),
    ("M,,,,60,4,36,high,s,\n", "first birth month"),
])
def test_a_malformed_file_refuses_to_load(tmp_path: Path, rows: str, message: str):
    path = tmp_path / "retirement_age.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(RetirementDataError, match=message):
        read_cohorts(path)
