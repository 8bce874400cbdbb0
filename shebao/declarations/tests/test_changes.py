"""单位信息变更 and 个人信息变更: immediate items take effect when submitted, reviewed ones
after approval; every refusal is a Chinese message at its field and changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shebao.audit.models import Event
from shebao.audit.services import Actor
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.changes import ChangeInvalid, change_create
from shebao.declarations.errors import DeclarationError
from shebao.declarations.models import Declaration, Status
from shebao.declarations.services import declaration_approve, declaration_submit
from shebao.declarations.tests.helpers import signed_by, submit, token_of
from shebao.declarations.tests.samples import person_id
from shebao.lib.periods import Month
from shebao.registry.models import Person, Unit
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db
UNIT_CHANGE = "/unit/declarations/unit-change/"
REVIEWER = Actor("staff", "reviewer")


def actor(holder: Holder) -> Actor:
    return Actor("unit", holder.unit.number)


def submit_now(holder: Holder, draft: Declaration) -> Declaration:
    return declaration_submit(draft, signed=signed_by(holder, draft), actor=actor(holder),
                              today=timezone.localdate(), cutoff_day=25)


def current_form(client: Client) -> dict[str, str]:
    """What the prefilled form would post back unchanged."""
    html = client.get(UNIT_CHANGE).content.decode()
    values = dict(re.findall(r'name="(\w+)" value="([^"]*)"', html))
    values.update(re.findall(r'name="(\w+)"[^>]*>\s*(?:<option[^>]*>[^<]*</option>\s*)*?'
                             r'<option value="([^"]*)" selected', html))
    values.pop("csrfmiddlewaretoken", None)
    return values


def test_unchanged_form_is_refused(unit_client: Client) -> None:
    response = unit_client.post(UNIT_CHANGE, current_form(unit_client))
    assert response.status_code == 400
    assert "没有任何项目发生变化" in response.content.decode()
    assert not Declaration.objects.exists()


def test_immediate_unit_items_take_effect_when_submitted(unit_client: Client,
                                                         holder: Holder) -> None:
    form = current_form(unit_client)
    form.update(contact_phone="010-65001234", bank_account="6222 0200 1234 5678 9")
    token = token_of(unit_client.post(UNIT_CHANGE, form))
    page = unit_client.get(f"/unit/declarations/drafts/{token}/").content.decode()
    assert "托收账号" in page and "6222020012345678" in page and "提交后即时生效" in page
    assert submit(unit_client, token, holder, base="drafts").status_code == 200
    unit = Unit.objects.get(pk=holder.unit.pk)
    assert unit.contact_phone == "010-65001234" and unit.bank_account == "62220200123456789"
    event = Event.objects.get(action="unit_change")
    assert event.after is not None
    assert event.after["bank_account"] == "62220200123456789"


def test_reviewed_items_wait_for_the_agency(holder: Holder) -> None:
    draft = change_create(unit=holder.unit, actor=actor(holder),
                          values={"district": "海淀区", "name": "北京新名称有限公司"})
    submitted = submit_now(holder, draft)
    assert submitted.status == Status.REVIEWING
    unit = Unit.objects.get(pk=holder.unit.pk)
    assert unit.district != "110108" and unit.name == "北京朝阳示范科技有限公司"
    declaration_approve(submitted, actor=REVIEWER, today=timezone.localdate())
    unit.refresh_from_db()
    assert unit.district == "110108" and unit.name == "北京新名称有限公司"


def test_field_errors_and_collisions(holder: Holder, tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京另一家有限公司")
    with pytest.raises(ChangeInvalid) as caught:
        change_create(unit=holder.unit, actor=actor(holder), values={
            "registration_no": other.unit.registration_no, "contact_phone": "12",
            "bank_account": "abc", "unit_type": "公司"})
    assert set(caught.value.errors) == {"registration_no", "contact_phone", "bank_account",
                                        "unit_type"}
    assert "其他单位" in caught.value.errors["registration_no"]
    assert other.unit.name not in str(caught.value)
    draft = change_create(unit=holder.unit, actor=actor(holder),
                          values={"registration_no": "110105999999"})
    submit_now(holder, draft)
    with pytest.raises(ChangeInvalid) as again:
        change_create(unit=holder.unit, actor=actor(holder),
                      values={"registration_no": "110105888888"})
    assert "审核中" in again.value.errors["registration_no"]
    assert Declaration.objects.count() == 1


def test_a_stale_change_is_refused_at_approval(holder: Holder) -> None:
    draft = change_create(unit=holder.unit, actor=actor(holder),
                          values={"unit_type": "事业单位"})
    submitted = submit_now(holder, draft)
    Unit.objects.filter(pk=holder.unit.pk).update(unit_type="government")
    with pytest.raises(DeclarationError, match="与申报时的原内容不符"):
        declaration_approve(submitted, actor=REVIEWER, today=timezone.localdate())
    submitted.refresh_from_db()
    assert submitted.status == Status.REVIEWING
    assert Unit.objects.get(pk=holder.unit.pk).unit_type == "government"


def test_person_change_of_an_employee(unit_client: Client, holder: Holder) -> None:
    person = make_person(name="周原名", id_number=person_id(3))
    make_enrolment(person, holder.unit, first=Month(2025, 1))
    stranger = make_person(name="吴路人")
    response = unit_client.post("/unit/declarations/person-change/",
                                {"id_number": stranger.id_number})
    assert response.status_code == 400 and "没有该身份证号码" in response.content.decode()
    assert unit_client.get(f"/unit/declarations/person-change/{stranger.ref}/").status_code \
        == 404
    response = unit_client.post("/unit/declarations/person-change/",
                                {"id_number": person.id_number})
    assert response["Location"] == f"/unit/declarations/person-change/{person.ref}/"
    response = unit_client.post(response["Location"], {
        "name": "周新名", "phone": "13912345678", "address": "", "hukou": "城镇",
        "id_number": person.id_number})
    token = token_of(response)
    assert submit(unit_client, token, holder, base="drafts").status_code == 200
    person.refresh_from_db()
    assert person.name == "周新名" and person.phone == "13912345678"


def test_id_number_change_is_reviewed_and_rederives_birth_and_sex(holder: Holder) -> None:
    person = make_person(name="郑号码", id_number=person_id(5))
    make_enrolment(person, holder.unit, first=Month(2025, 1))
    taken = make_person(name="王占用")
    with pytest.raises(ChangeInvalid) as caught:
        change_create(unit=holder.unit, person=person, actor=actor(holder),
                      values={"id_number": taken.id_number})
    assert "另一位参保人" in caught.value.errors["id_number"]
    new_id = "110108199003070024"
    draft = change_create(unit=holder.unit, person=person, actor=actor(holder),
                          values={"id_number": new_id})
    submitted = submit_now(holder, draft)
    assert submitted.status == Status.REVIEWING
    declaration_approve(submitted, actor=REVIEWER, today=timezone.localdate())
    person = Person.objects.get(pk=person.pk)
    assert person.id_number == new_id and str(person.birth_date) == "1990-03-07"
    assert person.sex == "F"


def test_a_unit_cannot_change_someone_it_does_not_employ(holder: Holder) -> None:
    left = make_person(name="冯已离职")
    make_enrolment(left, holder.unit, first=Month(2020, 1), last=Month(2024, 12))
    with pytest.raises(DeclarationError, match="不是本单位在职参保人员"):
        change_create(unit=holder.unit, person=left, actor=actor(holder),
                      values={"phone": "13912345678"})


def test_each_change_form_names_its_own_items_in_the_hint(unit_client: Client,
                                                          holder: Holder) -> None:
    person = make_person(name="周原名", id_number=person_id(4))
    make_enrolment(person, holder.unit, first=Month(2025, 1))
    html = unit_client.get(f"/unit/declarations/person-change/{person.ref}/").content.decode()
    hint = re.search(r'<p class="notice" id="change-hint">(.*?)</p>', html, re.S)
    assert hint, "no hint on the person-change form"
    assert "姓名、联系电话、居住地址提交后即时生效" in hint.group(1)
    assert "公民身份号码、户口性质须经社保经办机构审核" in hint.group(1)
    assert "单位" not in hint.group(1) and "托收账号" not in hint.group(1)
    html = unit_client.get(UNIT_CHANGE).content.decode()
    hint = re.search(r'<p class="notice" id="change-hint">(.*?)</p>', html, re.S)
    assert hint and "社会保险登记证号、单位类型、缴费地区须经社保经办机构审核" in hint.group(1)
    assert "公民身份号码" not in hint.group(1)
