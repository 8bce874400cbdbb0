"""Monthly settlement: amounts equal the calculator, re-runs are identical, closed
months never change (differences are billed later), undeclared wages default to 110%."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.contributions.calculator import UnitTerms, contribution_calc
from shebao.contributions.models import Contribution, ContributionKind, MonthStatus, UnitMonth
from shebao.contributions.settlement import month_close, settlement_run
from shebao.contributions.tests.helpers import long_count, long_values
from shebao.lib.periods import Month
from shebao.policy.selectors import policy_at
from shebao.registry.models import WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG = Month(2025, 8)
SEP = Month(2025, 9)


def rows(unit, month=AUG, kind=ContributionKind.REGULAR):
    return sorted(
        long_values(Contribution.objects.filter(unit=unit, month=int(month), kind=kind),
                    "person_id", "insurance", "base", "employer", "personal", "bill_month")
    )


def expected_total(unit, people_wages, month=AUG, **terms):
    policy = policy_at(month)
    unit_terms = UnitTerms(unit.injury_rates.get(last_month__isnull=True).injury_class,
                           unit.injury_rates.get(last_month__isnull=True).floating_pct,
                           unit.size)
    return sum(contribution_calc(policy, wage=w, rural=p.hukou == "rural",
                                 unit=unit_terms).total for p, w in people_wages)


@pytest.fixture
def unit_a():
    unit = make_unit(injury_class=4, floating_pct=120, size="medium")
    people = []
    for wage, hukou in [(1_200_000, "urban"), (500_000, "rural"), (9_000_000, "urban")]:
        p = make_person(hukou=hukou)
        make_enrolment(p, unit, first=Month(2024, 1), wage=wage, policy_years=(2025,))
        people.append((p, wage))
    return unit, people


def test_settlement_equals_the_calculator_per_person(unit_a):
    unit, people = unit_a
    result = settlement_run(AUG, bill_month=AUG)
    assert result.rows == 3  # a row per person, its five insurances side by side
    bill = UnitMonth.objects.get(unit=unit, month=int(AUG))
    assert bill.total == expected_total(unit, people)
    assert bill.persons == 3
    assert bill.employer + bill.personal == bill.total
    assert bill.due_date == dt.date(2025, 9, 30)
    person, wage = people[1]
    calc = contribution_calc(policy_at(AUG), wage=wage, rural=True,
                             unit=UnitTerms(4, 120, "medium"))
    got = {r[1]: r[2:5] for r in rows(unit) if r[0] == person.id}
    assert got == {line.insurance: (line.base, line.employer, line.personal)
                   for line in calc.lines}


def test_rerun_of_an_open_month_gives_identical_rows(unit_a):
    unit, _ = unit_a
    settlement_run(AUG, bill_month=AUG)
    first = rows(unit)
    settlement_run(AUG, bill_month=AUG)
    assert rows(unit) == first
    assert Contribution.objects.filter(unit=unit).count() == 3
    assert long_count(Contribution.objects.filter(unit=unit)) == 15


def test_left_person_is_not_billed_after_last_month(unit_a):
    unit, people = unit_a
    person, _ = people[0]
    person.enrolments.update(last_month=int(Month(2025, 7)))
    settlement_run(AUG, bill_month=AUG)
    assert not [r for r in rows(unit) if r[0] == person.id]
    assert UnitMonth.objects.get(unit=unit, month=int(AUG)).persons == 2


def test_closed_month_never_changes_and_corrections_are_billed_later(unit_a):
    unit, people = unit_a
    settlement_run(AUG, bill_month=AUG)
    month_close(AUG)
    before = rows(unit)
    bill_before = UnitMonth.objects.get(unit=unit, month=int(AUG))
    person, _ = people[0]
    WageBase.objects.filter(person=person, policy_year=2025).update(wage=1_500_000)
    result = settlement_run(AUG, bill_month=SEP)
    assert rows(unit) == before
    bill_after = UnitMonth.objects.get(unit=unit, month=int(AUG))
    assert (bill_after.total, bill_after.status) == (bill_before.total, MonthStatus.CLOSED)
    diff = rows(unit, kind=ContributionKind.DIFFERENCE)
    assert result.difference_rows == 1  # one person, every insurance changed
    assert len(diff) == 5
    assert {r[5] for r in diff} == {int(SEP)}
    assert [r[2] for r in diff if r[1] == "pension"] == [300_000]
    assert UnitMonth.objects.get(unit=unit, month=int(SEP)).total == sum(r[3] + r[4] for r in diff)
    # a second run finds nothing more to correct
    assert settlement_run(AUG, bill_month=SEP).difference_rows == 0


def test_difference_for_a_closed_month_cannot_go_into_the_same_month(unit_a):
    unit, _ = unit_a
    settlement_run(AUG, bill_month=AUG)
    month_close(AUG)
    WageBase.objects.filter(unit=unit).update(wage=2_000_000)
    before = rows(unit)
    assert settlement_run(AUG, bill_month=AUG).difference_rows == 0
    assert rows(unit) == before


def test_undeclared_wage_defaults_to_110_percent_of_last_year():
    unit = make_unit()
    person = make_person()
    make_enrolment(person, unit, first=Month(2024, 1), wage=1_000_001, policy_years=(2024,))
    result = settlement_run(AUG, bill_month=AUG)
    assert result.defaults_created == 1
    wage = WageBase.objects.get(person=person, policy_year=2025)
    assert (wage.wage, wage.source) == (1_100_001, "late_default")  # 1,100,001.1 -> half-up
    assert settlement_run(AUG, bill_month=AUG).defaults_created == 0


def test_missing_wage_is_reported_not_guessed():
    unit = make_unit()
    make_enrolment(make_person(), unit, first=Month(2025, 8))
    result = settlement_run(AUG, bill_month=AUG)
    assert (result.rows, result.missing_wage) == (0, 1)


def test_settlement_writes_an_audit_event(unit_a):
    from shebao.audit.models import Event

    settlement_run(AUG, bill_month=AUG)
    assert Event.objects.filter(action="settlement_run", object_ref="2025-08").count() == 1


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(wages=st.lists(st.tuples(st.integers(0, 6_000_000), st.booleans()), min_size=1,
                      max_size=6),
       injury=st.sampled_from([(1, 100), (2, 50), (5, 150), (8, 80)]),
       size=st.sampled_from(["large", "medium", "small", "micro"]),
       month=st.sampled_from([Month(2020, 3), Month(2021, 5), Month(2025, 8)]))
def test_settlement_total_is_the_sum_of_the_calculator(wages, injury, size, month):
    unit = make_unit(injury_class=injury[0], floating_pct=injury[1], size=size)
    year = policy_at(month).year_label
    people = []
    for wage, rural in wages:
        p = make_person(hukou="rural" if rural else "urban")
        make_enrolment(p, unit, first=Month(2019, 1), wage=wage, policy_years=(year,))
        people.append((p, wage))
    settlement_run(month, bill_month=month)
    bill = UnitMonth.objects.get(unit=unit, month=int(month))
    assert bill.total == expected_total(unit, people, month)
    first = rows(unit, month)
    settlement_run(month, bill_month=month)
    assert rows(unit, month) == first
