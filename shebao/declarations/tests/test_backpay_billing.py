"""An approved 补缴 bills its contributions and its late fee in the approval month, in
the transaction of the approval and its audit event."""

from __future__ import annotations

import datetime as dt

import pytest

from shebao.audit.models import Event
from shebao.audit.services import Actor
from shebao.contributions.models import Contribution, LateFeeCharge, UnitMonth
from shebao.contributions.settlement import settlement_run
from shebao.declarations import effects, services
from shebao.declarations.batchfiles.kinds import BackpayRecord, Record
from shebao.declarations.models import Declaration, Status
from shebao.declarations.services import (
    declaration_approve,
    declaration_create,
    declaration_submit,
)
from shebao.lib.periods import Month
from shebao.registry.models import Person, Unit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
UNIT = Actor("unit", "10000001")
STAFF = Actor("staff", "shenhe")
TODAY = dt.date(2025, 9, 10)
SEP = 202509


def record(row: int, person: Person, first: Month, last: Month,
           wage: int = 800_000) -> BackpayRecord:
    return BackpayRecord(row=row, id_number=person.id_number, name=person.name, start=first,
                         end=last, wage=wage, reason="入职当月漏报")


def submitted_backpay(unit: Unit, records: list[Record]) -> Declaration:
    draft = declaration_create(unit=unit, records=records, actor=UNIT, today=TODAY)
    declaration = declaration_submit(draft, signed=None, actor=UNIT, today=TODAY,
                                     cutoff_day=25)
    assert declaration.status == Status.REVIEWING
    return declaration


@pytest.fixture
def three_lines() -> tuple[Unit, Declaration]:
    """Two lines long overdue (a late fee) and one for last month, not yet due (none:
    2025-08 is due on 2025-09-30)."""
    unit = make_unit()
    people = [make_person(), make_person(hukou="rural"), make_person()]
    for p in people:
        make_enrolment(p, unit, first=Month(2024, 1))
    return unit, submitted_backpay(unit, [
        record(2, people[0], Month(2024, 3), Month(2024, 5)),
        record(3, people[1], Month(2024, 6), Month(2024, 6), wage=900_000),
        record(4, people[2], Month(2025, 8), Month(2025, 8)),
    ])


def test_approval_bills_contributions_and_late_fee_in_the_approval_month(three_lines):
    unit, declaration = three_lines
    declaration = declaration_approve(declaration, actor=STAFF, today=TODAY)
    lines = list(declaration.lines.order_by("line_no"))
    fees = [line.data["late_fee"] for line in lines]
    assert fees[0] > 0 and fees[1] > 0 and fees[2] == 0

    charges = LateFeeCharge.objects.filter(unit=unit).order_by("id")
    assert [(c.bill_month, c.amount, c.reason, c.ref) for c in charges] == [
        (SEP, fees[0], "补缴滞纳金", declaration.receipt_no),
        (SEP, fees[1], "补缴滞纳金", declaration.receipt_no)]  # none for the line without

    bill = UnitMonth.objects.get(unit=unit, month=SEP)
    rows = Contribution.objects.filter(unit=unit, kind="backpay")
    assert {r.bill_month for r in rows} == {SEP}
    assert bill.employer + bill.personal == sum(r.employer + r.personal for r in rows) == sum(
        line.data["total"] for line in lines)
    assert bill.late_fee == sum(fees)
    assert bill.total == bill.employer + bill.personal + bill.late_fee

    event = Event.objects.get(action="declaration_approve")
    assert event.object_ref == declaration.receipt_no
    assert event.after == {"status": Status.EFFECTIVE}


def test_the_late_fee_joins_the_month_settled_bill_and_stays_on_resettlement():
    unit, person, newcomer = make_unit(), make_person(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1), wage=1_000_000,
                   policy_years=(2024, 2025))
    make_enrolment(newcomer, unit, first=Month(2024, 1))
    settlement_run(Month(2025, 9), bill_month=Month(2025, 9))
    regular = UnitMonth.objects.get(unit=unit, month=SEP)
    assert regular.total > 0 and regular.late_fee == 0

    declaration = declaration_approve(
        submitted_backpay(unit, [record(2, newcomer, Month(2024, 3), Month(2024, 4))]),
        actor=STAFF, today=TODAY)
    line = declaration.lines.get()
    bill = UnitMonth.objects.get(unit=unit, month=SEP)
    assert (bill.late_fee, bill.total) == (
        line.data["late_fee"], regular.total + line.data["total"] + line.data["late_fee"])
    settlement_run(Month(2025, 9), bill_month=Month(2025, 9))
    again = UnitMonth.objects.get(unit=unit, month=SEP)
    assert (again.employer, again.personal, again.late_fee, again.total) == (
        bill.employer, bill.personal, bill.late_fee, bill.total)


class Boom(Exception):
    pass


def _fail(*args: object, **kwargs: object) -> None:
    raise Boom


@pytest.mark.parametrize("where", [
    (services, "event_record"),  # the audit event of the approval, after every write
    (effects, "bills_refresh"),  # the bill, after the rows and the charges
])
def test_a_failing_approval_changes_nothing(three_lines, monkeypatch, where):
    unit, declaration = three_lines
    events = Event.objects.count()
    monkeypatch.setattr(*where, _fail)
    with pytest.raises(Boom):
        declaration_approve(declaration, actor=STAFF, today=TODAY)
    declaration.refresh_from_db()
    assert declaration.status == Status.REVIEWING and not declaration.decided_by
    assert not Contribution.objects.filter(unit=unit).exists()
    assert not LateFeeCharge.objects.exists()
    assert not UnitMonth.objects.filter(unit=unit).exists()
    assert all("late_fee" not in line.data for line in declaration.lines.all())
    assert Event.objects.count() == events


# --- nothing is charged twice (decision 0010) ----------------------------------------------


def _two_overlapping() -> tuple[Unit, Person, Declaration, Declaration]:
    """Two 补缴 of 2024-01…03 and 2024-03…04 for one person, both submitted before
    either was approved (the re-declaration of the issue)."""
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2023, 1))
    first = submitted_backpay(unit, [record(2, person, Month(2024, 1), Month(2024, 3))])
    second = submitted_backpay(unit, [record(2, person, Month(2024, 3), Month(2024, 4))])
    return unit, person, first, second


def test_approval_refuses_a_second_backpay_of_months_already_backpaid():
    unit, _, first, second = _two_overlapping()
    declaration_approve(first, actor=STAFF, today=TODAY)
    rows = Contribution.objects.filter(unit=unit, kind="backpay").count()
    with pytest.raises(services.DeclarationError) as refused:
        declaration_approve(second, actor=STAFF, today=TODAY)
    assert "第 1 行（" in str(refused.value) and "2024年03月" in str(refused.value)
    assert "不能重复补缴" in str(refused.value) and "2024年04月" not in str(refused.value)
    second.refresh_from_db()
    assert second.status == Status.REVIEWING
    assert Contribution.objects.filter(unit=unit, kind="backpay").count() == rows
    assert LateFeeCharge.objects.filter(unit=unit).count() == 1  # the first one's only


def test_approval_refuses_months_settled_since_the_declaration():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2023, 1))
    declaration = submitted_backpay(unit, [record(2, person, Month(2024, 5), Month(2024, 6))])
    Contribution.objects.create(unit=unit, person=person, month=202406, bill_month=202406,
                                kind="regular", pension_base=800_000,
                                pension_employer=128_000, pension_personal=64_000)
    with pytest.raises(services.DeclarationError, match="2024年06月"):
        declaration_approve(declaration, actor=STAFF, today=TODAY)
    assert not Contribution.objects.filter(kind="backpay").exists()


def test_submission_refuses_months_billed_since_the_draft():
    unit, person, first, _ = _two_overlapping()
    declaration_approve(first, actor=STAFF, today=TODAY)
    draft = declaration_create(unit=unit, actor=UNIT, today=TODAY,
                               records=[record(2, person, Month(2024, 2), Month(2024, 2))])
    with pytest.raises(services.DeclarationError, match=r"2024年02月.*放弃本草稿"):
        declaration_submit(draft, signed=None, actor=UNIT, today=TODAY, cutoff_day=25)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.receipt_no


def test_the_database_refuses_a_concurrent_approval_of_the_same_months(monkeypatch):
    """Two approvals racing: the second's check ran before the first committed, so it saw
    nothing billed; the unique constraint on 补缴 rows still refuses its rows."""
    unit, _, first, second = _two_overlapping()
    declaration_approve(first, actor=STAFF, today=TODAY)
    rows = Contribution.objects.filter(unit=unit, kind="backpay").count()
    checks = iter(["", None])  # the first check is the one that could not see

    def racing(declaration: Declaration) -> str:
        seen = next(checks)
        return seen if seen is not None else real(declaration)

    real = services.billed_refusal
    monkeypatch.setattr(services, "billed_refusal", racing)
    with pytest.raises(services.DeclarationError, match="2024年03月"):
        declaration_approve(second, actor=STAFF, today=TODAY)
    assert Contribution.objects.filter(unit=unit, kind="backpay").count() == rows
    assert LateFeeCharge.objects.filter(unit=unit).count() == 1


def test_approval_refusal_by_the_rules_is_a_declaration_error_not_a_crash(three_lines):
    """A 补缴 the quote rules refuse at approval (here the unit's work-injury class was
    removed from the registry after submission) is refused with the rules' Chinese
    message; nothing is billed and the declaration stays under review."""
    unit, declaration = three_lines
    unit.injury_rates.all().delete()
    with pytest.raises(services.DeclarationError) as refused:
        declaration_approve(declaration, actor=STAFF, today=TODAY)
    assert "没有工伤保险费率记录" in str(refused.value)
    declaration.refresh_from_db()
    assert declaration.status == Status.REVIEWING
    assert not Contribution.objects.filter(unit=unit, kind="backpay").exists()
