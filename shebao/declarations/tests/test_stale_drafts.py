"""Two drafts of the same change: the first submitted takes effect, the second is
refused naming the first receipt and changes nothing; never a 500 (issue 9, item 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shebao.audit.models import Event
from shebao.audit.services import Actor
from shebao.certauth.tests.helpers import Holder
from shebao.declarations.batchfiles.kinds import AddRecord, RemoveRecord
from shebao.declarations.errors import StaleDraft
from shebao.declarations.models import Declaration, Status
from shebao.declarations.services import declaration_create, declaration_submit
from shebao.declarations.tests.helpers import effective, submit
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment, Person, Unit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
UNIT = Actor("unit", "10000001")
TODAY = dt.date(2025, 9, 10)
SEPTEMBER = Month(2025, 9)


def _submit(draft: Declaration) -> Declaration:
    return declaration_submit(draft, signed=None, actor=UNIT, today=TODAY, cutoff_day=25)


def _leave(unit: Unit, person: Person, end: Month = SEPTEMBER) -> Declaration:
    record = RemoveRecord(row=2, id_number=person.id_number, name=person.name,
                          reason="contract_terminated", end=end)
    return declaration_create(unit=unit, records=[record], actor=UNIT)


def _enrol(unit: Unit, id_number: str, start: Month = SEPTEMBER) -> Declaration:
    record = AddRecord(row=2, id_number=id_number, name="王五", hukou="urban", reason="new",
                       start=start, wage=1_000_000, phone="")
    return declaration_create(unit=unit, records=[record], actor=UNIT)


def _refused_naming(draft: Declaration, first: Declaration) -> StaleDraft:
    with pytest.raises(StaleDraft) as exc:
        _submit(draft)
    assert exc.value.first is not None and exc.value.first.pk == first.pk
    message = str(exc.value)
    assert f"回执号 {first.receipt_no}" in message and "未作任何变更" in message
    draft.refresh_from_db()
    assert (draft.status, draft.receipt_no, draft.content) == (Status.DRAFT, None, "")
    return exc.value


def test_second_leave_draft_of_one_person_is_refused_naming_the_first_receipt():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    one, two = _leave(unit, person, Month(2025, 9)), _leave(unit, person, Month(2025, 10))
    first = _submit(one)
    assert first.status == Status.EFFECTIVE
    events = Event.objects.count()

    refusal = _refused_naming(two, first)

    assert "第 1 行：该人员目前未在本单位参保，不能减员" in str(refusal)
    assert set(Enrolment.objects.filter(person=person).values_list("last_month", flat=True)) \
        == {202509}
    assert Event.objects.count() == events
    assert Declaration.objects.filter(status=Status.EFFECTIVE).count() == 1


def test_second_enrol_draft_of_one_new_person_is_refused_naming_the_first_receipt():
    unit = make_unit()
    id_number = valid_id_number(dt.date(1992, 4, 5), 77)
    one, two = _enrol(unit, id_number), _enrol(unit, id_number, Month(2025, 10))
    first = _submit(one)

    refusal = _refused_naming(two, first)

    assert "不能重复增员" in str(refusal)
    assert Enrolment.objects.filter(person__id_number=id_number).count() == 5
    assert not Enrolment.objects.filter(first_month=202510).exists()


def test_draft_made_stale_by_another_unit_is_refused_without_naming_its_receipt():
    here, there = make_unit(), make_unit()
    id_number = valid_id_number(dt.date(1992, 4, 5), 79)
    draft = _enrol(here, id_number)
    _submit(_enrol(there, id_number))

    with pytest.raises(StaleDraft) as exc:
        _submit(draft)

    assert exc.value.first is None
    assert "其他单位仍在参保" in str(exc.value) and "回执号" not in str(exc.value)
    assert not Enrolment.objects.filter(unit=here).exists()


def test_stale_draft_on_the_confirm_page_is_a_chinese_409_not_a_500(
        unit_client: Client, holder: Holder) -> None:
    id_number = valid_id_number(dt.date(1993, 2, 3), 81)
    one, two = _enrol(holder.unit, id_number, effective()), _enrol(holder.unit, id_number,
                                                                   effective())
    first = submit(unit_client, str(one.draft_token), holder, base="drafts")
    assert first.status_code == 200, first.content
    receipt = first.json()["receipt_no"]

    response = submit(unit_client, str(two.draft_token), holder, base="drafts")

    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "stale_draft" and f"回执号 {receipt}" in body["message"]
    assert body["next"] == f"/unit/declarations/{receipt}/"
    assert Declaration.objects.get(pk=two.pk).status == Status.DRAFT
    assert Enrolment.objects.filter(person__id_number=id_number).count() == 5
