"""The Django admin as a read-only staff data tool: pages open, queries stay bounded,
writes are refused, and only logged-in staff get in."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from shebao.audit.models import Event
from shebao.audit.services import SYSTEM, event_record
from shebao.pension.models import Account1992, AccountYear
from shebao.policy.models import PolicyRow
from shebao.registry.choices import (
    District,
    EnterpriseSize,
    Hukou,
    OnlineStatus,
    Sex,
    StartReason,
    UnitType,
    WageSource,
)
from shebao.registry.models import (
    Enrolment,
    MedicalUnitInfo,
    Person,
    Unit,
    UnitInjuryRate,
    WageBase,
)

pytestmark = pytest.mark.django_db

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: dt.date, seq: int) -> str:
    """A valid 18-digit citizen ID (GB 11643-1999) born in Chaoyang."""
    body = f"110105{birth:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS,
                                                               strict=True)) % 11]


def make_unit(i: int) -> Unit:
    unit = Unit.objects.create(
        number=f"{1000000000 + i}", name=f"北京测试科技有限公司{i}", org_code=f"{55138500 + i}X",
        registration_no=f"105{i:07d}", district=District.CHAOYANG,
        unit_type=UnitType.ENTERPRISE, size=EnterpriseSize.SMALL,
        online_status=OnlineStatus.OPEN,
    )
    MedicalUnitInfo.objects.create(
        unit=unit, registration_no=unit.registration_no, district=District.HAIDIAN,
        unit_type=unit.unit_type, org_code=unit.org_code,
    )
    UnitInjuryRate.objects.create(unit=unit, first_month=201001, last_month=201509,
                                  injury_class=2)
    UnitInjuryRate.objects.create(unit=unit, first_month=201510, injury_class=4,
                                  floating_pct=120)
    return unit


def make_person(i: int) -> Person:
    birth = dt.date(1980, 1, 1) + dt.timedelta(days=i)
    return Person.objects.create(
        id_number=id_number(birth, 100 + 2 * i), name=f"张{i}", sex=Sex.MALE,
        birth_date=birth, hukou=Hukou.URBAN if i % 2 else Hukou.RURAL,
    )


def make_rows(first: int, count: int) -> None:
    """`count` units, each with one person enrolled in pension, a wage base, an account
    year, and an audit event."""
    for i in range(first, first + count):
        unit, person = make_unit(i), make_person(i)
        Enrolment.objects.create(person=person, unit=unit, insurance="pension",
                                 first_month=202001, start_reason=StartReason.NEW)
        WageBase.objects.create(person=person, unit=unit, policy_year=2025,
                                wage=1_234_567, source=WageSource.DECLARED)
        AccountYear.objects.create(
            person=person, year=2024, opening=0, months_paid=12, average_base=1_000_000,
            credits=960_000, interest_opening=0, interest_credits=13_617, closing=973_617,
            cumulative_months=12, rate_ppm=26_200, source="closed",
        )
        event_record(actor=SYSTEM, action="unit_create", object_type="unit",
                     object_ref=unit.number)


@pytest.fixture
def dataset() -> dict[str, models.Model]:
    make_rows(1, 2)
    person = Person.objects.get(name="张1")
    Account1992.objects.create(person=person, personal_part=123_456,
                               unit_transferred_part=78_900, months=36)
    year = AccountYear.objects.create(
        person=person, year=2023, opening=10_000_000, months_paid=12, average_base=1_000_000,
        credits=960_000, interest_opening=397_000, interest_credits=20_638,
        closing=11_377_638, cumulative_months=120, rate_ppm=39_700, source="closed",
    )
    event = event_record(actor=SYSTEM, action="policy_load", object_type="policy_file",
                         object_ref="beijing_policy.csv", after={"说明": "测试"})
    return {
        "unit": Unit.objects.get(number="1000000001"),
        "person": person,
        "enrolment": Enrolment.objects.get(person=person),
        "wagebase": WageBase.objects.get(person=person),
        "account1992": Account1992.objects.get(pk=person.pk),
        "accountyear": year,
        "event": event,
        "policyrow": PolicyRow.objects.get(key="base_upper", insurance="pension",
                                           first_month=202407),
    }


ADMINS = [
    ("registry", "unit"),
    ("registry", "person"),
    ("registry", "enrolment"),
    ("registry", "wagebase"),
    ("pension", "account1992"),
    ("pension", "accountyear"),
    ("audit", "event"),
    ("policy", "policyrow"),
]


def url(app: str, model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:{app}_{model}_{view}", args=args)


# --- pages open ------------------------------------------------------------------------


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_superuser_opens_changelist_and_change_view(
    admin_client: Client, dataset: dict[str, models.Model], app: str, model: str,
) -> None:
    obj = dataset[model]
    # The policy table has 327 shipped rows: narrow it to the page with the row.
    narrow = {"key": "base_upper", "insurance": "pension"} if model == "policyrow" else {}
    listing = admin_client.get(url(app, model, "changelist"), narrow)
    assert listing.status_code == 200
    assert url(app, model, "change", obj.pk) in listing.content.decode()
    detail = admin_client.get(url(app, model, "change", obj.pk))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'name="_save"' not in html, "a read-only view has no save button"


def test_unit_change_view_shows_both_systems_read_only(
    admin_client: Client, dataset: dict[str, models.Model],
) -> None:
    text = admin_client.get(url("registry", "unit", "change", dataset["unit"].pk)).content
    html = text.decode()
    assert "北京测试科技有限公司1" in html
    assert "医疗系统单位信息" in html
    # The medical copy says 海淀区, the four-insurance record 朝阳区.
    assert '<div class="readonly">缴费地区</div>' in html
    assert "工伤保险费率" in html
    form = html.split('id="content-main"')[1]
    inputs = re.findall(r"<input\b[^>]*>", form)
    assert inputs and all('type="hidden"' in tag for tag in inputs), inputs
    assert "<select" not in form
    assert "<textarea" not in form


def test_person_list_shows_masked_id_numbers(
    admin_client: Client, dataset: dict[str, models.Model],
) -> None:
    person = dataset["person"]
    assert isinstance(person, Person)
    html = admin_client.get(url("registry", "person", "changelist")).content.decode()
    assert person.masked_id_number in html
    assert person.id_number not in html
    assert person.masked_id_number == f"{person.id_number[:6]}********{person.id_number[-4:]}"


@pytest.mark.parametrize(
    ("query", "found", "missing"),
    [
        ("1000000002", "北京测试科技有限公司2", "北京测试科技有限公司1<"),
        ("科技有限公司1", "北京测试科技有限公司1", "北京测试科技有限公司2"),
    ],
)
def test_unit_search(admin_client: Client, dataset: dict[str, models.Model], query: str,
                     found: str, missing: str) -> None:
    html = admin_client.get(url("registry", "unit", "changelist"), {"q": query}).content
    assert found in html.decode()
    assert missing not in html.decode()


def test_unit_search_by_uscc(admin_client: Client, dataset: dict[str, models.Model]) -> None:
    Unit.objects.filter(number="1000000002").update(uscc="91110108551385082Q")
    html = admin_client.get(url("registry", "unit", "changelist"),
                            {"q": "91110108551385082Q"}).content.decode()
    assert "北京测试科技有限公司2" in html
    assert "北京测试科技有限公司1</a>" not in html


def test_person_search_by_id_number(admin_client: Client,
                                    dataset: dict[str, models.Model]) -> None:
    person = dataset["person"]
    assert isinstance(person, Person)
    html = admin_client.get(url("registry", "person", "changelist"),
                            {"q": person.id_number}).content.decode()
    assert "张1<" in html
    assert "张2<" not in html


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"district__exact": District.CHAOYANG}, 2),
        ({"district__exact": District.HAIDIAN}, 0),
        ({"online_status__exact": OnlineStatus.OPEN, "size__exact": EnterpriseSize.SMALL}, 2),
        ({"enrolment_mode__exact": "secondary"}, 0),
        ({"unit_type__exact": UnitType.GOVERNMENT}, 0),
    ],
)
def test_unit_list_filters(admin_client: Client, dataset: dict[str, models.Model],
                           params: dict[str, str], shown: int) -> None:
    response = admin_client.get(url("registry", "unit", "changelist"), params)
    assert response.status_code == 200
    assert response.context["cl"].result_count == shown


# --- query counts ----------------------------------------------------------------------


def changelist_queries(client: Client, target: str, most: int,
                       assert_max: Callable[..., Any]) -> int:
    with assert_max(most) as ctx:
        response = client.get(target)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Session and user (2), the page's COUNT and rows (2), the session save (3); the unit
# list also counts the whole table, the wage-base filter reads the policy years.
@pytest.mark.parametrize(
    ("app", "model", "most"),
    [("registry", "unit", 8), ("registry", "enrolment", 7), ("registry", "wagebase", 8),
     ("registry", "person", 7), ("pension", "accountyear", 7), ("audit", "event", 7)],
)
def test_changelist_queries_are_bounded_and_do_not_grow_with_rows(
    admin_client: Client, django_assert_max_num_queries: Callable[..., Any],
    app: str, model: str, most: int,
) -> None:
    target = url(app, model, "changelist")
    admin_client.get(target)  # warm the session and the policy cache
    make_rows(1, 5)
    with_5 = changelist_queries(admin_client, target, most, django_assert_max_num_queries)
    make_rows(6, 25)
    with_30 = changelist_queries(admin_client, target, most, django_assert_max_num_queries)
    assert with_5 == with_30


# --- writes refused --------------------------------------------------------------------


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_add_is_refused(admin_client: Client, app: str, model: str) -> None:
    assert admin_client.get(url(app, model, "add")).status_code == 403
    assert admin_client.post(url(app, model, "add"), {}).status_code == 403


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_delete_is_refused(admin_client: Client, dataset: dict[str, models.Model],
                           app: str, model: str) -> None:
    obj = dataset[model]
    assert admin_client.get(url(app, model, "delete", obj.pk)).status_code == 403
    assert admin_client.post(url(app, model, "delete", obj.pk), {"post": "yes"}).status_code \
        == 403
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_change_is_refused(admin_client: Client, dataset: dict[str, models.Model],
                           app: str, model: str) -> None:
    obj = dataset[model]
    response = admin_client.post(url(app, model, "change", obj.pk), {})
    assert response.status_code == 403


def test_bulk_delete_action_is_not_offered(admin_client: Client,
                                           dataset: dict[str, models.Model]) -> None:
    response = admin_client.get(url("registry", "unit", "changelist"))
    assert "delete_selected" not in response.content.decode()
    events = Event.objects.count()
    admin_client.post(url("registry", "unit", "changelist"), {
        "action": "delete_selected", "_selected_action": [dataset["unit"].pk], "post": "yes",
    })
    assert Unit.objects.filter(pk=dataset["unit"].pk).exists()
    assert Event.objects.count() == events


# --- access ----------------------------------------------------------------------------


@pytest.mark.parametrize(("app", "model"), ADMINS)
def test_anonymous_user_is_sent_to_the_login_page(client: Client, app: str,
                                                  model: str) -> None:
    target = url(app, model, "changelist")
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={target}"


def test_login_page_is_chinese(client: Client) -> None:
    # The admin's login is the staff login (password and TOTP), shebao/accounts.
    html = client.get("/admin/login/", follow=True).content.decode()
    assert "北京市社会保险网上申报查询系统" in html
    assert "经办机构工作人员登录" in html


def test_event_change_view_shows_readable_json_and_hashes(
    admin_client: Client, dataset: dict[str, models.Model],
) -> None:
    event = dataset["event"]
    assert isinstance(event, Event)
    html = admin_client.get(url("audit", "event", "change", event.pk)).content.decode()
    assert "{&quot;说明&quot;: &quot;测试&quot;}" in html
    assert "前一事件哈希" in html
    assert event.hash in html


def test_account_year_shows_yuan_and_percent(
    admin_client: Client, dataset: dict[str, models.Model],
) -> None:
    html = admin_client.get(
        url("pension", "accountyear", "change", dataset["accountyear"].pk)
    ).content.decode()
    for text in ["100,000.00", "9,600.00", "3,970.00", "206.38", "113,776.38", "3.97%"]:
        assert f'<div class="readonly">{text}</div>' in html, text
