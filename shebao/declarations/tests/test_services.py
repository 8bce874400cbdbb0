"""Declaration lifecycle and effects: the next settlement sees them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.contributions.models import Contribution, UnitMonth
from shebao.contributions.settlement import settlement_run
from shebao.contributions.tests.helpers import long_count
from shebao.declarations.batchfiles.kinds import (
    AddRecord,
    BackpayRecord,
    RemoveRecord,
    WageRecord,
)
from shebao.declarations.errors import DeclarationError, DuplicateFile
from shebao.declarations.models import Declaration, Status
from shebao.declarations.services import (
    declaration_approve,
    declaration_create,
    declaration_return,
    declaration_submit,
    effective_month,
)
from shebao.declarations.tests.helpers import wage_window_open
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment, Person, WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
UNIT = Actor("unit", "10000001")
STAFF = Actor("staff", "shenhe")
TODAY = dt.date(2025, 9, 10)


def submit(declaration: Declaration, today: dt.date = TODAY) -> Declaration:
    return declaration_submit(declaration, signed=None, actor=UNIT, today=today, cutoff_day=25)


@pytest.mark.parametrize(("day", "expected"), [(25, "2025-09"), (26, "2025-10")])
def test_cutoff_decides_the_effective_month(day, expected):
    assert str(effective_month(dt.date(2025, 9, day), 25)) == expected


def test_enrol_takes_effect_and_the_next_settlement_bills_it():
    unit = make_unit()
    id_number = valid_id_number(dt.date(1990, 3, 1), 123)
    record = AddRecord(row=2, id_number=id_number, name="张三", hukou="urban", reason="new",
                       start=Month(2025, 9), wage=1_200_000, phone="13800000000")
    declaration = submit(declaration_create(unit=unit, records=[record], actor=UNIT))
    assert declaration.status == Status.EFFECTIVE and declaration.receipt_no
    assert len(declaration.verification_code or "") == 12
    person = Person.objects.get(id_number=id_number)
    assert (person.sex, person.birth_date) == ("M", dt.date(1990, 3, 1))
    assert Enrolment.objects.filter(person=person, unit=unit, first_month=202509).count() == 5
    assert WageBase.objects.get(person=person, policy_year=2025).wage == 1_200_000
    settlement_run(Month(2025, 9), bill_month=Month(2025, 9))
    assert long_count(Contribution.objects.filter(person=person, month=202509)) == 5


def test_leave_stops_billing_after_the_last_month():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2025, 1), wage=900_000, policy_years=(2025,))
    record = RemoveRecord(row=2, id_number=person.id_number, name=person.name,
                          reason="contract_terminated", end=Month(2025, 8))
    submit(declaration_create(unit=unit, records=[record], actor=UNIT))
    settlement_run(Month(2025, 9), bill_month=Month(2025, 9))
    assert not Contribution.objects.filter(person=person, month=202509).exists()


def test_wage_declaration_sets_the_base_of_the_policy_year():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1), wage=900_000, policy_years=(2024,))
    record = WageRecord(row=2, id_number=person.id_number, name=person.name, wage=1_500_000)
    wage_window_open(TODAY)
    submit(declaration_create(unit=unit, records=[record], actor=UNIT, today=TODAY))
    wage = WageBase.objects.get(person=person, unit=unit, policy_year=2025)
    assert (wage.wage, wage.source) == (1_500_000, "declared")


def test_backpay_needs_review_and_creates_rows_when_approved():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    record = BackpayRecord(row=2, id_number=person.id_number, name=person.name,
                           start=Month(2024, 3), end=Month(2024, 5), wage=800_000,
                           reason="漏缴")
    declaration = submit(declaration_create(unit=unit, records=[record], actor=UNIT))
    assert declaration.status == Status.REVIEWING
    assert not Contribution.objects.filter(person=person).exists()
    declaration = declaration_approve(declaration, actor=STAFF, today=TODAY)
    assert declaration.status == Status.EFFECTIVE and declaration.decided_by == "shenhe"
    rows = Contribution.objects.filter(person=person, kind="backpay")
    assert long_count(rows) == 15 and {r.bill_month for r in rows} == {202509}
    bill = UnitMonth.objects.get(unit=unit, month=202509)
    assert bill.employer + bill.personal == sum(r.employer + r.personal for r in rows)
    line = declaration.lines.get()
    assert line.data["late_fee"] > 0 and line.data["total"] == bill.employer + bill.personal
    assert (bill.late_fee, bill.total) == (line.data["late_fee"],
                                           line.data["total"] + line.data["late_fee"])


def test_backpay_is_not_approved_into_a_closed_month():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    record = BackpayRecord(row=2, id_number=person.id_number, name=person.name,
                           start=Month(2024, 3), end=Month(2024, 3), wage=800_000, reason="漏缴")
    declaration = submit(declaration_create(unit=unit, records=[record], actor=UNIT))
    UnitMonth.objects.create(unit=unit, month=202509, status="closed", due_date=TODAY,
                             settled_at=timezone.now())
    with pytest.raises(DeclarationError, match="已关账"):
        declaration_approve(declaration, actor=STAFF, today=TODAY)
    declaration.refresh_from_db()
    assert declaration.status == Status.REVIEWING
    assert not Contribution.objects.filter(person=person).exists()


def test_returned_declaration_keeps_its_reason_and_changes_nothing():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    record = BackpayRecord(row=2, id_number=person.id_number, name=person.name,
                           start=Month(2024, 3), end=Month(2024, 3), wage=800_000, reason="x")
    declaration = submit(declaration_create(unit=unit, records=[record], actor=UNIT))
    with pytest.raises(DeclarationError, match="退回原因"):
        declaration_return(declaration, reason=" ", actor=STAFF)
    declaration = declaration_return(declaration, reason="缺少劳动合同", actor=STAFF)
    assert (declaration.status, declaration.return_reason) == (Status.RETURNED, "缺少劳动合同")
    with pytest.raises(DeclarationError, match="不能变为"):
        submit(declaration)
    assert not Contribution.objects.exists()


def test_the_same_file_is_applied_once():
    unit = make_unit()
    id_number = valid_id_number(dt.date(1991, 1, 1), 5)
    record = AddRecord(row=2, id_number=id_number, name="李四", hukou="rural", reason="new",
                       start=Month(2025, 9), wage=800_000, phone="")
    first = submit(declaration_create(unit=unit, records=[record], file_digest="ab" * 32,
                                      source="batch", actor=UNIT))
    with pytest.raises(DuplicateFile) as exc:
        declaration_create(unit=unit, records=[record], file_digest="ab" * 32,
                           source="batch", actor=UNIT)
    assert exc.value.first.pk == first.pk
    assert first.receipt_no and first.receipt_no in str(exc.value)
    assert Enrolment.objects.filter(person__id_number=id_number).count() == 5



def test_drafts_purge_drops_old_drafts_only():
    from django.core.management import call_command
    from django.utils import timezone

    from shebao.audit.models import Event
    from shebao.declarations.models import DeclarationLine
    from shebao.declarations.services import DRAFT_TTL, drafts_purge

    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2025, 1))

    def leave(end: Month) -> Declaration:
        return declaration_create(unit=unit, actor=UNIT, records=[RemoveRecord(
            row=2, id_number=person.id_number, name=person.name, reason="other", end=end)])

    old, fresh, done = leave(Month(2025, 6)), leave(Month(2025, 7)), leave(Month(2025, 8))
    submit(done)
    long_ago = timezone.now() - DRAFT_TTL - dt.timedelta(minutes=1)
    Declaration.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=long_ago)
    assert drafts_purge(actor=UNIT) == 1
    assert set(Declaration.objects.values_list("pk", flat=True)) == {fresh.pk, done.pk}
    assert not DeclarationLine.objects.filter(declaration_id=old.pk).exists()
    event = Event.objects.get(action="declaration_drafts_purge")
    assert event.after is not None and event.after["drafts"] == 1
    call_command("purge_drafts")  # nothing left to drop: no second event
    assert Event.objects.filter(action="declaration_drafts_purge").count() == 1
