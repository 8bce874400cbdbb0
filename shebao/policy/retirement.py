"""The statutory retirement age by sex, category and birth month, from the shipped data
(policy/data/retirement_age.csv; its README explains the columns).

The file is read once per process and checked as it is read: per sex and category the
cohorts must cover every birth month exactly once, ages and delays must be whole and
non-negative. A file that breaks this refuses to load (RetirementDataError) rather than
answer wrongly.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from shebao.lib.periods import Month

from .loader import DATA_DIR

RETIREMENT_CSV = DATA_DIR / "retirement_age.csv"


class RetirementDataError(ValueError):
    """The retirement-age file is malformed (names the line)."""


@dataclass(frozen=True)
class Cohort:
    sex: str  # 'M' or 'F'
    category: str  # '' for men; 'cadre' or 'worker' for women
    born_from: Month | None  # None: every earlier birth month
    born_to: Month | None  # None: every later birth month
    age_years: int
    delay_every: int | None  # one month's delay per this many birth months
    max_delay: int

    def age_months(self, birth: Month) -> int:
        """The statutory age, in months, of a person born in `birth` (in this cohort)."""
        base = self.age_years * 12
        if self.delay_every is None or self.born_from is None:
            return base
        return base + min(self.max_delay, (birth - self.born_from) // self.delay_every + 1)


def _month(text: str, line: int) -> Month | None:
    text = text.strip()
    if not text:
        return None
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise RetirementDataError(f"line {line}: bad month {text!r}") from exc


def _whole(text: str, line: int, *, blank_ok: bool = False) -> int | None:
    text = text.strip()
    if not text and blank_ok:
        return None
    if not text.isdigit():
        raise RetirementDataError(f"line {line}: expected a whole number, got {text!r}")
    return int(text)


def read_cohorts(path: Path = RETIREMENT_CSV) -> tuple[Cohort, ...]:
    """Every cohort of the file, checked (see the module docstring)."""
    cohorts: list[Cohort] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line, raw in enumerate(csv.DictReader(fh), start=2):
            sex = raw["sex"].strip()
            if sex not in ("M", "F"):
                raise RetirementDataError(f"line {line}: sex must be M or F, got {sex!r}")
            if not raw["source"].strip():
                raise RetirementDataError(f"line {line}: a row needs its source")
            every = _whole(raw["delay_every_birth_months"], line, blank_ok=True)
            born_from = _month(raw["born_from"], line)
            if every is not None and (every == 0 or born_from is None):
                raise RetirementDataError(
                    f"line {line}: a delay needs a positive step and a first birth month")
            age = _whole(raw["age_years"], line)
            assert age is not None
            cohorts.append(Cohort(
                sex=sex, category=raw["category"].strip(), born_from=born_from,
                born_to=_month(raw["born_to"], line), age_years=age, delay_every=every,
                max_delay=_whole(raw["max_delay_months"], line, blank_ok=True) or 0))
    _check_coverage(cohorts)
    return tuple(cohorts)


def _check_coverage(cohorts: list[Cohort]) -> None:
    groups: dict[tuple[str, str], list[Cohort]] = {}
    for cohort in cohorts:
        groups.setdefault((cohort.sex, cohort.category), []).append(cohort)
    for (sex, category), group in groups.items():
        group.sort(key=lambda c: -1 if c.born_from is None else int(c.born_from))
        name = f"{sex}/{category or '-'}"
        if group[0].born_from is not None or group[-1].born_to is not None:
            raise RetirementDataError(f"{name}: the cohorts must be open at both ends")
        for before, after in pairwise(group):
            if before.born_to is None or after.born_from != before.born_to.add(1):
                raise RetirementDataError(f"{name}: the cohorts leave a gap or overlap "
                                          f"after {before.born_to}")


@cache
def _cohorts() -> tuple[Cohort, ...]:
    return read_cohorts()


def retirement_age_months(sex: str, category: str, birth: Month) -> int:
    """The statutory retirement age, in months, of a person of `sex` ('M'/'F') and
    `category` ('' for men; 'cadre' or 'worker' for women) born in `birth`."""
    for cohort in _cohorts():
        if (cohort.sex, cohort.category) != (sex, category):
            continue
        if ((cohort.born_from is None or birth >= cohort.born_from)
                and (cohort.born_to is None or birth <= cohort.born_to)):
            return cohort.age_months(birth)
    raise LookupError(f"no retirement age for {sex}/{category}")
