"""The yearly 缴费工资申报 window: its rules, the back-office page that sets it, and wage
declarations refused outside it (service, batch upload, submit after the close)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import make_staff
from shebao.audit.models import Event
from shebao.audit.services import Actor
from shebao.certauth.tests.helpers import Holder
from shebao.declarations.batchfiles import AddRecord, WageRecord
from shebao.declarations.errors import DeclarationError
from shebao.declarations.models import Declaration, DeclarationKind, Status, WageWindow
from shebao.declarations.services import canonical_content, declaration_create, declaration_submit
from shebao.declarations.tests.helpers import (
    csv_file,
    submit,
    today,
    token_of,
    upload,
    wage_window_open,
)
from shebao.declarations.wagewindow import (
    WindowClosed,
    WindowInvalid,
    day_label,
    declaring_window,
    settable_years,
    window_demo_set,
    window_open_on,
    window_set,
    window_status,
    window_submit_refusal,
)
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.periods import Month
from shebao.policy.selectors import policy_at
from shebao.registry.models import Person, WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
STAFF = Actor("staff", "guanli")
UNIT = Actor("unit", "10000001")
TODAY = dt.date(2026, 11, 27)
URL = "/backoffice/wage-windows/"


def window(year: int, opens: dt.date, closes: dt.date) -> WageWindow:
    """A window written straight to the table (past windows cannot be set any more)."""
    return WageWindow.objects.create(policy_year=year, opens_on=opens, closes_on=closes,
                                     set_by="test")


def wage_record(person: Person, wage: int = 1_500_000) -> WageRecord:
    return WageRecord(row=2, id_number=person.id_number, name=person.name, wage=wage)


# --- window_set: the rules ---------------------------------------------------------------


def test_a_window_is_set_with_its_audit_event():
    made = window_set(policy_year=2026, opens_on=dt.date(2026, 11, 20),
                      closes_on=dt.date(2026, 12, 31), actor=STAFF, today=TODAY)
    assert (made.policy_year, made.set_by) == (2026, "guanli")
    event = Event.objects.get(action="wage_window_set")
    assert event.object_ref == "2026" and event.before is None
    assert event.after == {"policy_year": 2026, "opens_on": "2026-11-20",
                           "closes_on": "2026-12-31", "set_by": "guanli"}


def test_an_open_window_can_be_changed_and_the_change_is_audited():
    window_set(policy_year=2026, opens_on=dt.date(2026, 11, 1),
               closes_on=dt.date(2026, 11, 30), actor=STAFF, today=TODAY)
    window_set(policy_year=2026, opens_on=dt.date(2026, 11, 1),
               closes_on=dt.date(2026, 12, 15), actor=Actor("staff", "other"), today=TODAY)
    assert WageWindow.objects.get().closes_on == dt.date(2026, 12, 15)
    last = Event.objects.filter(action="wage_window_set").order_by("-seq").first()
    assert last is not None and last.before is not None and last.after is not None
    assert (last.before["closes_on"], last.after["closes_on"]) == ("2026-11-30", "2026-12-15")
    assert last.actor == "other"


@pytest.mark.parametrize(("year", "opens", "closes", "field", "message"), [
    (2026, dt.date(2026, 12, 10), dt.date(2026, 12, 1), "closes_on",
     "申报截止日期（2026年12月1日）不能早于开始日期（2026年12月10日）"),
    (2026, dt.date(2026, 11, 1), dt.date(2026, 11, 26), "closes_on",
     "申报截止日期（2026年11月26日）不能早于今天（2026年11月27日）"),
    (2031, dt.date(2026, 12, 1), dt.date(2026, 12, 31), "policy_year",
     "2031 不是已知的缴费年度（已知 2004–2026 缴费年度），请先录入该年度的政策参数"),
    (1998, dt.date(2026, 12, 1), dt.date(2026, 12, 31), "policy_year",
     "1998 不是已知的缴费年度（已知 2004–2026 缴费年度），请先录入该年度的政策参数"),
    (2024, dt.date(2026, 12, 1), dt.date(2026, 12, 31), "policy_year",
     "2024 缴费年度已于 2025年06月结束，不能再为其设置缴费工资申报期"),
])
def test_refused_windows_say_why_at_the_field(year, opens, closes, field, message):
    with pytest.raises(WindowInvalid) as exc:
        window_set(policy_year=year, opens_on=opens, closes_on=closes, actor=STAFF,
                   today=TODAY)
    assert exc.value.errors[field] == message
    assert not WageWindow.objects.exists() and not Event.objects.exists()


def test_windows_of_two_years_may_not_overlap():
    window(2025, dt.date(2026, 11, 1), dt.date(2026, 12, 10))
    with pytest.raises(WindowInvalid) as exc:
        window_set(policy_year=2026, opens_on=dt.date(2026, 12, 10),
                   closes_on=dt.date(2027, 1, 31), actor=STAFF, today=TODAY)
    assert exc.value.errors == {"opens_on": "与 2025 年度的申报期（2026年11月1日至2026年12月10日）"
                                            "重叠：各年度的申报期不能重叠"}
    made = window_set(policy_year=2026, opens_on=dt.date(2026, 12, 11),
                      closes_on=dt.date(2027, 1, 31), actor=STAFF, today=TODAY)
    assert made.opens_on == dt.date(2026, 12, 11)


def test_a_closed_window_cannot_be_changed():
    window(2026, dt.date(2026, 7, 1), dt.date(2026, 8, 31))
    with pytest.raises(WindowInvalid) as exc:
        window_set(policy_year=2026, opens_on=dt.date(2026, 12, 1),
                   closes_on=dt.date(2026, 12, 31), actor=STAFF, today=TODAY)
    assert exc.value.errors["policy_year"] == ("2026 年度的申报期（2026年7月1日至2026年8月31日）"
                                               "已经结束，不能再修改")
    assert WageWindow.objects.get().closes_on == dt.date(2026, 8, 31)


def test_settable_years_are_the_known_years_not_yet_ended():
    assert settable_years(TODAY) == [2026]
    assert settable_years(dt.date(2025, 6, 30)) == [2026, 2025, 2024]


def test_the_open_window_counts_both_ends_of_its_days():
    made = window(2026, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert window_open_on(dt.date(2026, 10, 31)) is None
    assert window_open_on(dt.date(2026, 11, 1)) == made
    assert window_open_on(dt.date(2026, 11, 30)) == made
    assert window_open_on(dt.date(2026, 12, 1)) is None


def test_the_status_names_the_next_or_the_last_window():
    assert window_status(TODAY).message == "经办机构尚未设置本年度缴费工资申报期"
    window(2026, dt.date(2026, 7, 1), dt.date(2026, 8, 31))
    assert window_status(TODAY).message == (
        "当前不在缴费工资申报期内：2026 年度申报期为2026年7月1日至2026年8月31日，已经截止；"
        "未申报的人员按上年度月缴费工资的 110% 核定缴费基数")
    window(2027, dt.date(2027, 6, 1), dt.date(2027, 7, 31))
    assert window_status(TODAY).message == (
        "当前不在缴费工资申报期内：2027 年度申报期为2027年6月1日至2027年7月31日，请届时申报")


def test_one_rule_says_whether_wages_may_be_declared_on_a_day():
    """declaring_window: the open window, or WindowClosed with what the unit is told (the
    web page, the upload, the API and declaration_create all ask it)."""
    with pytest.raises(WindowClosed, match="经办机构尚未设置本年度缴费工资申报期") as closed:
        declaring_window(TODAY)
    assert isinstance(closed.value, DeclarationError)
    assert closed.value.status.open is None
    made = window(2026, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert declaring_window(TODAY) == made
    with pytest.raises(WindowClosed, match="2026 年度申报期为2026年11月1日至2026年11月30日"):
        declaring_window(dt.date(2026, 12, 1))


def test_the_demo_window_opens_this_month_until_the_end_of_next():
    made = window_demo_set(TODAY, STAFF)
    assert made is not None
    assert (made.policy_year, made.opens_on, made.closes_on) == (
        2026, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    assert window_demo_set(TODAY, STAFF) == made  # once


# --- declarations only inside the window -------------------------------------------------


def test_a_wage_declaration_outside_any_window_is_refused_and_nothing_is_made():
    unit, person = make_unit(), make_person()
    with pytest.raises(DeclarationError, match="经办机构尚未设置本年度缴费工资申报期"):
        declaration_create(unit=unit, records=[wage_record(person)], actor=UNIT, today=TODAY)
    window(2026, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    with pytest.raises(DeclarationError) as exc:
        declaration_create(unit=unit, records=[wage_record(person)], actor=UNIT, today=TODAY)
    assert str(exc.value) == ("当前不在缴费工资申报期内：2026 年度申报期为"
                              "2026年12月1日至2026年12月31日，请届时申报")
    assert not Declaration.objects.exists()


def test_other_kinds_do_not_need_a_window():
    unit = make_unit()
    record = AddRecord(row=2, id_number=valid_id_number(dt.date(1990, 1, 1), 19),
                       name="王五", hukou="urban", reason="new", start=Month(2026, 12),
                       wage=900_000, phone="")
    draft = declaration_create(unit=unit, records=[record], actor=UNIT, today=TODAY)
    assert draft.kind == DeclarationKind.ENROL and draft.policy_year is None


def test_the_declaration_takes_the_policy_year_of_the_window_and_signs_it():
    unit, person = make_unit(), make_person()
    window(2026, dt.date(2026, 6, 1), dt.date(2026, 6, 30))  # before the year begins
    draft = declaration_create(unit=unit, records=[wage_record(person)], actor=UNIT,
                               today=dt.date(2026, 6, 30))
    assert draft.policy_year == 2026
    assert '"policy_year":2026' in canonical_content(draft)


def test_after_submit_the_declared_wage_is_the_base_of_the_windows_year():
    """A window for 2026 held in June 2026, still in policy year 2025: the wage is the
    base of 2026 (the window's year), not of the year of the day it was submitted."""
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1), wage=900_000, policy_years=(2025,))
    window(2026, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    draft = declaration_create(unit=unit, records=[wage_record(person, 1_234_500)],
                               actor=UNIT, today=dt.date(2026, 6, 15))
    done = declaration_submit(draft, signed=None, actor=UNIT, today=dt.date(2026, 6, 15),
                              cutoff_day=25)
    assert done.status == Status.EFFECTIVE
    base = WageBase.objects.get(person=person, unit=unit, policy_year=2026)
    assert (base.wage, base.source) == (1_234_500, "declared")
    assert WageBase.objects.get(person=person, unit=unit, policy_year=2025).wage == 900_000


def test_a_draft_of_the_last_day_is_refused_after_the_window_closes():
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    window(2026, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    draft = declaration_create(unit=unit, records=[wage_record(person)], actor=UNIT,
                               today=dt.date(2026, 11, 30))
    with pytest.raises(DeclarationError) as exc:
        declaration_submit(draft, signed=None, actor=UNIT, today=dt.date(2026, 12, 1),
                           cutoff_day=25)
    assert str(exc.value) == ("2026 年度缴费工资申报期为2026年11月1日至2026年11月30日，"
                              "已经截止，该草稿不能再提交；"
                              "未申报的人员按上年度月缴费工资的 110% 核定缴费基数")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.receipt_no
    assert not WageBase.objects.filter(person=person).exists()
    done = declaration_submit(draft, signed=None, actor=UNIT, today=dt.date(2026, 11, 30),
                              cutoff_day=25)
    assert done.status == Status.EFFECTIVE


def test_submit_refusals_for_a_missing_window_or_year():
    assert window_submit_refusal(None, TODAY) == "该缴费工资申报草稿没有缴费年度，请放弃后重新填报"
    assert window_submit_refusal(2026, TODAY) == (
        "经办机构尚未设置 2026 缴费年度的缴费工资申报期，不能提交")
    window(2026, dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert window_submit_refusal(2026, TODAY) == (
        "2026 年度缴费工资申报期为2026年12月1日至2026年12月31日，尚未开始，请届时提交")
    assert window_submit_refusal(2026, dt.date(2026, 12, 31)) is None


# --- the batch upload --------------------------------------------------------------------


def _wage_file(holder: Holder) -> tuple[bytes, Person]:
    person = make_person(name="赵工资")
    make_enrolment(person, holder.unit, first=Month(2024, 1), wage=900_000,
                   policy_years=(2025,))
    return csv_file("wage", [[person.id_number, person.name, "15000"]]), person


def test_a_wage_file_outside_the_window_is_refused_on_the_upload_page(
        unit_client: Client, holder: Holder) -> None:
    data, _ = _wage_file(holder)
    response = upload(unit_client, "wage", data, "缴费工资.csv")
    assert response.status_code == 400
    html = response.content.decode()
    assert "经办机构尚未设置本年度缴费工资申报期" in html
    assert '<option value="wage" selected>' in html
    assert not Declaration.objects.exists()


def test_a_wage_file_inside_the_window_becomes_a_draft_of_its_year(
        unit_client: Client, holder: Holder) -> None:
    made = wage_window_open()
    data, person = _wage_file(holder)
    token = token_of(upload(unit_client, "wage", data, "缴费工资.csv"))
    draft = Declaration.objects.get()
    assert draft.policy_year == made.policy_year
    html = unit_client.get(f"/unit/declarations/uploads/{token}/").content.decode()
    assert f"{made.policy_year} 缴费年度核定缴费基数" in html
    assert "15,000.00" in html

    made.opens_on = made.closes_on = today() - dt.timedelta(days=1)  # closed before signing
    made.save()
    response = submit(unit_client, token, holder)
    assert response.status_code == 409
    assert "已经截止，该草稿不能再提交" in response.json()["message"]
    assert not WageBase.objects.filter(person=person, policy_year=made.policy_year).exists()


# --- the back-office page (dates from the real today: the page sets windows from now on) --


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_staff(StaffRole.ADMIN, "guanli"))
    return client


def _now() -> tuple[dt.date, int]:
    day = today()
    return day, policy_at(Month.of(day)).year_label


def test_admin_sets_a_window_and_sees_it_listed(admin_client: Client) -> None:
    day, year = _now()
    html = admin_client.get(URL).content.decode()
    assert "尚未设置任何缴费工资申报期" in html
    assert f'<option value="{year}">{year} 缴费年度</option>' in html
    closes = day + dt.timedelta(days=30)
    response = admin_client.post(URL, {"policy_year": str(year), "opens_on": day.isoformat(),
                                       "closes_on": closes.strftime("%Y/%m/%d")})
    assert response.status_code == 302
    page = admin_client.get(URL).content.decode()
    assert (f"已设置 {year} 缴费年度缴费工资申报期：{day_label(day)}至{day_label(closes)}"
            in page)
    assert "申报中" in page and f"?year={year}" in page
    assert Event.objects.filter(action="wage_window_set", actor="guanli").count() == 1


def test_the_form_shows_each_error_at_its_field(admin_client: Client) -> None:
    day, year = _now()
    response = admin_client.post(URL, {"policy_year": str(year), "opens_on": "2026-13-01",
                                       "closes_on": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "“2026-13-01”不是有效日期" in html and "请填写申报截止日期" in html
    later = day + dt.timedelta(days=10)
    response = admin_client.post(URL, {"policy_year": str(year), "opens_on": later.isoformat(),
                                       "closes_on": day.isoformat()})
    assert response.status_code == 400
    assert "不能早于开始日期" in response.content.decode()
    response = admin_client.post(URL, {"policy_year": "2019", "opens_on": day.isoformat(),
                                       "closes_on": later.isoformat()})
    assert "“2019”不是可设置申报期的缴费年度" in response.content.decode()
    assert not WageWindow.objects.exists()


def test_an_open_window_is_edited_from_the_list(admin_client: Client) -> None:
    day, year = _now()
    window(year, day, day + dt.timedelta(days=3))
    html = admin_client.get(f"{URL}?year={year}").content.decode()
    assert f"修改 {year} 缴费年度申报期" in html
    assert f'value="{(day + dt.timedelta(days=3)).isoformat()}"' in html
    admin_client.post(URL, {"policy_year": str(year), "opens_on": day.isoformat(),
                            "closes_on": (day + dt.timedelta(days=20)).isoformat()})
    assert WageWindow.objects.get().closes_on == day + dt.timedelta(days=20)
    assert f"已修改 {year} 缴费年度" in admin_client.get(URL).content.decode()


def test_a_closed_window_is_listed_without_an_edit_link(admin_client: Client) -> None:
    day, year = _now()
    window(year, day - dt.timedelta(days=20), day - dt.timedelta(days=1))
    html = admin_client.get(URL).content.decode()
    assert "已结束，不能修改" in html and f"?year={year}" not in html
    response = admin_client.get(f"{URL}?year={year}", follow=True)
    assert f"{year} 年度的申报期已经结束，不能再修改" in response.content.decode()


def test_other_staff_roles_cannot_set_windows() -> None:
    day, year = _now()
    for role in (StaffRole.INTAKE, StaffRole.REVIEW):
        client = Client()
        client.force_login(make_staff(role, f"staff-{role}"))
        assert client.post(URL, {"policy_year": str(year), "opens_on": day.isoformat(),
                                 "closes_on": day.isoformat()}).status_code == 403
    assert not WageWindow.objects.exists()
