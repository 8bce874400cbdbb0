"""Single-person 增员 and 减员 forms, and the shared draft confirm step: errors at their
fields, nothing stored until the form passes, the draft signed and submitted, effects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from shebao.audit.models import Event
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.models import Declaration, Status
from shebao.declarations.tests.helpers import effective, submit, token_of, unit_login
from shebao.declarations.tests.samples import person_id
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment, Person, WageBase
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db

ENROL = "/unit/declarations/enrol/"
LEAVE = "/unit/declarations/leave/"


def enrol_form(**change: str) -> dict[str, str]:
    form = {"id_number": person_id(7), "name": "王小明", "hukou": "城镇", "reason": "新参保",
            "start": f"{effective().year}-{effective().month:02d}",
            "wage": "12,000.50", "phone": "13800138000"}
    form.update(change)
    return form


def field_errors(html: str) -> list[str]:
    return re.findall(r'<span class="field-error" role="alert">([^<]+)</span>', html)


def test_enrol_form_shows_the_columns_and_the_effective_month(unit_client: Client) -> None:
    html = unit_client.get(ENROL).content.decode()
    for label in ("身份证号码", "姓名", "户口性质", "增员原因", "起始年月", "月缴费工资",
                  "联系电话"):
        assert label in html
    assert 'type="month"' in html
    assert f"最早自 <strong>{effective().label}</strong> 起生效" in html


def test_enrol_errors_are_shown_at_their_fields_and_nothing_is_stored(
        unit_client: Client) -> None:
    bad = enrol_form(id_number="110105198506150010", start="2004-01", wage="-5", phone="12")
    response = unit_client.post(ENROL, bad)
    assert response.status_code == 400
    html = response.content.decode()
    errors = field_errors(html)
    assert len(errors) == 4, errors
    assert any("校验位" in e for e in errors)
    assert any("起始年月" in e for e in errors)
    assert any("月缴费工资" in e for e in errors)
    assert any("联系电话" in e for e in errors)
    # each message sits in the field block of its input
    assert html.index('name="id_number"') < html.index(errors[0]) < html.index('name="name"')
    assert not Declaration.objects.exists()


def test_enrol_refuses_a_person_enrolled_elsewhere(unit_client: Client, holder: Holder,
                                                   tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京另一家有限公司")
    person = make_person(name="赵已参保")
    make_enrolment(person, other.unit, first=Month(2025, 1))
    response = unit_client.post(ENROL, enrol_form(id_number=person.id_number, name="赵已参保",
                                                  reason="转入"))
    assert response.status_code == 400
    assert any("其他单位" in e for e in field_errors(response.content.decode()))
    assert other.unit.name not in response.content.decode()  # never names the other unit
    assert not Declaration.objects.exists()


def test_enrol_draft_signed_and_submitted_takes_effect(unit_client: Client,
                                                       holder: Holder) -> None:
    response = unit_client.post(ENROL, enrol_form())
    token = token_of(response)
    assert response["Location"] == f"/unit/declarations/drafts/{token}/"
    draft = Declaration.objects.get(draft_token=token)
    assert draft.status == Status.DRAFT and draft.source == "web"
    page = unit_client.get(f"/unit/declarations/drafts/{token}/").content.decode()
    assert "确认并签名提交" in page and "王小明" in page and "12,000.50" in page
    assert "增员填报内容校验通过" in page
    result = submit(unit_client, token, holder, base="drafts")
    assert result.status_code == 200, result.content
    draft.refresh_from_db()
    assert draft.status == Status.EFFECTIVE and draft.receipt_no == result.json()["receipt_no"]
    person = Person.objects.get(id_number=person_id(7))
    starts = set(Enrolment.objects.filter(person=person, unit=holder.unit)
                 .values_list("first_month", flat=True))
    assert starts == {int(effective())}
    assert WageBase.objects.get(person=person, unit=holder.unit).wage == 1_200_050
    # the page of a submitted draft forwards to its receipt
    again = unit_client.get(f"/unit/declarations/drafts/{token}/")
    assert again["Location"] == f"/unit/declarations/{draft.receipt_no}/"


def test_leave_form_prefills_an_employee_and_refuses_strangers(unit_client: Client,
                                                               holder: Holder) -> None:
    mine = make_person(name="钱在职")
    make_enrolment(mine, holder.unit, first=Month(2025, 1))
    stranger = make_person(name="孙路人")
    html = unit_client.get(f"{LEAVE}?person={mine.ref}").content.decode()
    assert f'value="{mine.id_number}"' in html and 'value="钱在职"' in html
    assert unit_client.get(f"{LEAVE}?person={stranger.ref}").status_code == 404
    month = f"{effective().year}-{effective().month:02d}"
    response = unit_client.post(LEAVE, {"id_number": stranger.id_number, "name": "孙路人",
                                        "reason": "解除劳动合同", "end": month})
    assert response.status_code == 400
    assert any("本单位" in e for e in field_errors(response.content.decode()))
    response = unit_client.post(LEAVE, {"id_number": mine.id_number, "name": "钱在职",
                                        "reason": "解除劳动合同", "end": month})
    assert submit(unit_client, token_of(response), holder, base="drafts").status_code == 200
    assert set(Enrolment.objects.filter(person=mine).values_list("last_month", flat=True)) \
        == {int(effective())}


def test_discarding_a_draft_removes_it_and_leaves_an_audit_event(unit_client: Client) -> None:
    token = token_of(unit_client.post(ENROL, enrol_form()))
    response = unit_client.post(f"/unit/declarations/drafts/{token}/discard/")
    assert response.status_code == 302
    assert not Declaration.objects.exists()
    assert Event.objects.filter(action="declaration_discard").count() == 1
    assert unit_client.get(f"/unit/declarations/drafts/{token}/").status_code == 404


def test_another_units_draft_is_not_found(unit_client: Client, tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京另一家有限公司")
    other_client = Client()
    unit_login(other_client, other)
    token = token_of(other_client.post(ENROL, enrol_form()))
    for path in ("", "content/"):
        assert unit_client.get(f"/unit/declarations/drafts/{token}/{path}").status_code == 404
    assert unit_client.post(f"/unit/declarations/drafts/{token}/discard/").status_code == 404
    assert Declaration.objects.filter(draft_token=token, status=Status.DRAFT).exists()


def test_drafts_not_yet_submitted_are_listed_and_can_be_discarded_there(
        unit_client: Client, holder: Holder, tmp_path: Path) -> None:
    token = token_of(unit_client.post(ENROL, enrol_form()))
    done = token_of(unit_client.post(ENROL, enrol_form(id_number=person_id(8), name="孙已交")))
    assert submit(unit_client, done, holder, base="drafts").status_code == 200
    other = unit_with_certificate(tmp_path, name="北京另一家有限公司")
    other_client = Client()
    unit_login(other_client, other)
    foreign = token_of(other_client.post(ENROL, enrol_form()))

    html = unit_client.get("/unit/declarations/").content.decode()
    drafts = re.search(r'<section[^>]*id="drafts".*?</section>', html, re.S)
    assert drafts, "no drafts section on the list page"
    section = drafts.group(0)
    assert "未提交的草稿（1 份）" in section and "增员" in section
    assert f'href="/unit/declarations/drafts/{token}/"' in section
    assert f'action="/unit/declarations/drafts/{token}/discard/"' in section
    assert 'name="csrfmiddlewaretoken"' in section
    assert done not in section and foreign not in section

    response = unit_client.post(f"/unit/declarations/drafts/{token}/discard/",
                                {"back": "list"})
    assert response["Location"] == "/unit/declarations/"
    assert not Declaration.objects.filter(draft_token=token).exists()
    assert Event.objects.filter(action="declaration_discard").count() == 1
    html = unit_client.get("/unit/declarations/").content.decode()
    assert "已放弃该增员草稿，未作任何申报" in html and 'id="drafts"' not in html
    assert Declaration.objects.filter(draft_token=foreign, status=Status.DRAFT).exists()
