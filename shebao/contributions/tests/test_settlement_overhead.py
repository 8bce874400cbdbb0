"""The cheaper fixed steps of settlement decide and write exactly what they did before:
the open-enrolment count (whether to diagnose) skips closed units only, and the 110%
defaults go to the same people whatever order their conditions are tested in."""

from __future__ import annotations

import pytest
from django.db import connection

from shebao.contributions.models import MonthStatus, UnitMonth
from shebao.contributions.settlement import (
    _NOT_CLOSED,
    _open_persons,
    settlement_run,
)
from shebao.lib.periods import Month
from shebao.registry.models import UnitInjuryRate, WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG = Month(2025, 8)
SEP = Month(2025, 9)


def open_persons_correlated(m: int) -> int:
    """The former count: a correlated NOT EXISTS probe per enrolment row."""
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT COUNT(DISTINCT e.person_id) FROM registry_enrolment e
                WHERE e.first_month <= %(m)s
                  AND (e.last_month IS NULL OR e.last_month >= %(m)s)
                  AND {_NOT_CLOSED.format(alias='e')}""",
            {"m": m},
        )
        return int(cur.fetchone()[0])


def close(unit) -> None:
    """Close one unit's August bill (month_close closes every unit's)."""
    assert UnitMonth.objects.filter(unit=unit, month=int(AUG)).update(
        status=MonthStatus.CLOSED) == 1


def test_missing_row_in_a_closed_unit_does_not_trigger_the_diagnosis():
    closed, open_ = make_unit(), make_unit()
    for unit in (closed, open_):
        make_enrolment(make_person(), unit, first=Month(2024, 1), wage=1_000_000,
                       policy_years=(2025,))
    settlement_run(AUG, bill_month=AUG)
    close(closed)
    make_enrolment(make_person(), open_, first=AUG, wage=1_000_000, policy_years=(2025,))
    # a closed unit's bill never takes new rows: its new, wageless person is not counted
    make_enrolment(make_person(), closed, first=AUG)
    assert _open_persons(int(AUG)) == open_persons_correlated(int(AUG)) == 2
    result = settlement_run(AUG, bill_month=SEP)
    assert (result.rows, result.missing_wage, result.missing_injury_rate) == (2, 0, 0)
    # a wageless person in the open unit: now a row is missing and the diagnosis runs,
    # counting every wageless person of the month (the closed unit's too)
    make_enrolment(make_person(), open_, first=AUG)
    assert _open_persons(int(AUG)) == open_persons_correlated(int(AUG)) == 3
    result = settlement_run(AUG, bill_month=SEP)
    assert (result.rows, result.missing_wage, result.missing_injury_rate) == (2, 2, 0)


def test_missing_injury_rate_is_reported():
    unit = make_unit()
    make_enrolment(make_person(), unit, first=Month(2024, 1), wage=1_000_000,
                   policy_years=(2025,))
    UnitInjuryRate.objects.filter(unit=unit).delete()
    result = settlement_run(AUG, bill_month=AUG)
    assert (result.rows, result.missing_wage, result.missing_injury_rate) == (1, 0, 1)


def test_defaults_only_for_enrolled_people_without_this_years_wage_in_open_units():
    unit, closed = make_unit(), make_unit()
    undeclared, declared, left, in_closed = (make_person() for _ in range(4))
    for person, where, last in [(undeclared, unit, None), (declared, unit, None),
                                (left, unit, Month(2025, 7)), (in_closed, closed, None)]:
        make_enrolment(person, where, first=Month(2024, 1), last=last, wage=1_000_000,
                       policy_years=(2024, 2025))
    settlement_run(AUG, bill_month=AUG)
    close(closed)
    WageBase.objects.filter(person__in=[undeclared, left, in_closed],
                            policy_year=2025).delete()
    assert settlement_run(AUG, bill_month=SEP).defaults_created == 1
    defaults = set(WageBase.objects.filter(source="late_default")
                   .values_list("person_id", "policy_year", "wage"))
    assert defaults == {(undeclared.id, 2025, 1_100_000)}
