"""A unit with no work-injury class for a month is billed every other insurance and the
month is flagged for staff; once the class is registered, re-settling bills the
work-injury part once (in the month itself while open, as 补差 once it is closed)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shebao.accounts.models import StaffRole, User
from shebao.contributions.calculator import UnitTerms, contribution_calc
from shebao.contributions.models import Contribution, ContributionKind, SettlementIssue, UnitMonth
from shebao.contributions.settlement import month_close, settlement_run
from shebao.contributions.tests.helpers import long_values
from shebao.lib.periods import Month
from shebao.policy.selectors import policy_at
from shebao.registry.models import UnitInjuryRate
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG, SEP = Month(2025, 8), Month(2025, 9)
WAGES = [(1_200_000, "urban"), (500_000, "rural")]


def _unit_without_class(month: Month):
    """A unit enrolled in every insurance whose class is registered only until the
    month before `month`."""
    unit = make_unit(injury_class=4, floating_pct=120, size="medium")
    people = []
    for wage, hukou in WAGES:
        person = make_person(hukou=hukou)
        make_enrolment(person, unit, first=Month(2019, 1), wage=wage,
                       policy_years=(2018, 2019, 2025))
        people.append((person, wage))
    UnitInjuryRate.objects.filter(unit=unit, last_month__isnull=True).update(
        last_month=int(month.add(-1)))
    return unit, people


def _expected(people, month: Month, *, without_injury: bool):
    policy = policy_at(month)
    lines = [line for p, w in people
             for line in contribution_calc(policy, wage=w, rural=p.hukou == "rural",
                                           unit=UnitTerms(4, 120, "medium")).lines
             if not (without_injury and line.insurance == "work_injury")]
    return sum(x.employer for x in lines), sum(x.personal for x in lines)


def _rows(unit, month: Month):
    return sorted(long_values(Contribution.objects.filter(unit=unit, month=int(month)),
                              "insurance", "kind", "bill_month"))


@pytest.mark.parametrize("month", [AUG, Month(2019, 6)])  # 2019: maternity still billed
def test_unit_without_class_is_billed_every_other_insurance_and_flagged(month):
    unit, people = _unit_without_class(month)
    result = settlement_run(month, bill_month=month)
    insurances = {r[0] for r in _rows(unit, month)}
    expected = {"pension", "unemployment", "medical", "maternity"}
    assert insurances == expected
    assert result.rows == len(people)  # a row per person, without its work-injury part
    bill = UnitMonth.objects.get(unit=unit, month=int(month))
    assert (bill.employer, bill.personal) == _expected(people, month, without_injury=True)
    assert bill.persons == 2
    issue = SettlementIssue.objects.get(unit=unit, month=int(month))
    assert issue.code == SettlementIssue.Code.INJURY_CLASS_MISSING
    assert result.missing_injury_rate == 1


def test_settle_command_names_the_flagged_unit(capsys):
    unit, _ = _unit_without_class(AUG)
    call_command("settle", "2025-08", "--bill-month", "2025-08", verbosity=0)
    out = capsys.readouterr().out
    assert "缺少工伤保险行业风险类别" in out and unit.number in out


def test_backoffice_home_shows_the_flag(client):
    unit, _ = _unit_without_class(AUG)
    settlement_run(AUG, bill_month=AUG)
    client.force_login(User.objects.create_user("shouli", password="x-Secret-123",
                                                is_staff=True, role=StaffRole.INTAKE))
    page = client.get("/backoffice/").content.decode()
    assert "缺少工伤保险行业风险类别" in page and unit.number in page and "2025年08月" in page


def test_class_registered_later_bills_the_open_month_once():
    unit, people = _unit_without_class(AUG)
    settlement_run(AUG, bill_month=AUG)
    UnitInjuryRate.objects.create(unit=unit, first_month=int(AUG), injury_class=4,
                                  floating_pct=120)
    settlement_run(AUG, bill_month=AUG)
    settlement_run(AUG, bill_month=AUG)
    bill = UnitMonth.objects.get(unit=unit, month=int(AUG))
    assert (bill.employer, bill.personal) == _expected(people, AUG, without_injury=False)
    assert [r for r in _rows(unit, AUG) if r[0] == "work_injury"] == [
        ("work_injury", ContributionKind.REGULAR, int(AUG))] * 2
    assert not SettlementIssue.objects.filter(unit=unit).exists()


def test_class_registered_after_close_bills_the_injury_part_once_as_difference():
    unit, people = _unit_without_class(AUG)
    settlement_run(AUG, bill_month=AUG)
    month_close(AUG)
    closed = UnitMonth.objects.get(unit=unit, month=int(AUG))
    UnitInjuryRate.objects.create(unit=unit, first_month=int(AUG), injury_class=4,
                                  floating_pct=120)
    # a difference row per person, holding only the work-injury part
    assert settlement_run(AUG, bill_month=SEP).difference_rows == len(people) == 2
    assert settlement_run(AUG, bill_month=SEP).difference_rows == 0
    after = UnitMonth.objects.get(unit=unit, month=int(AUG))
    assert (after.total, after.status) == (closed.total, closed.status)
    diffs = Contribution.objects.filter(unit=unit, month=int(AUG), kind=ContributionKind.DIFFERENCE)
    assert set(long_values(diffs, "insurance", "bill_month")) == {("work_injury", int(SEP))}
    full, without = (_expected(people, AUG, without_injury=flag) for flag in (False, True))
    sep = UnitMonth.objects.get(unit=unit, month=int(SEP))
    assert (sep.employer, sep.personal) == (full[0] - without[0], full[1] - without[1])
    assert not SettlementIssue.objects.filter(unit=unit).exists()
