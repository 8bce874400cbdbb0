"""Back-office money pages: roles, validation, effects, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from shebao.accounts.models import StaffRole, User
from shebao.audit.models import Event
from shebao.contributions.latefee import late_fee
from shebao.contributions.models import Payment, UnitMonth
from shebao.contributions.settlement import settlement_run
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db


def staff(role: str, username: str | None = None) -> User:
    return User.objects.create_user(username or f"u-{role}", password="x-Secret-123",
                                    is_staff=True, role=role)


@pytest.fixture
def billed_unit():
    unit = make_unit()
    for _ in range(2):
        make_enrolment(make_person(), unit, first=Month(2025, 1), wage=1_000_000,
                       policy_years=(2025,))
    for m in (Month(2025, 7), Month(2025, 8)):
        settlement_run(m, bill_month=m)
    return unit


URLS = ["backoffice:index", "backoffice:payment_new", "backoffice:bankfile_upload",
        "backoffice:arrears"]


@pytest.mark.parametrize("name", URLS)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith("/staff/login/")


@pytest.mark.parametrize("name", URLS)
def test_non_staff_user_is_refused(client, name):
    client.force_login(User.objects.create_user("plain", password="x-Secret-123"))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        (StaffRole.INTAKE, "backoffice:payment_new", 200),
        (StaffRole.INTAKE, "backoffice:bankfile_upload", 200),
        (StaffRole.INTAKE, "backoffice:arrears", 200),
        (StaffRole.REVIEW, "backoffice:payment_new", 403),
        (StaffRole.REVIEW, "backoffice:bankfile_upload", 403),
        (StaffRole.REVIEW, "backoffice:arrears", 200),
        (StaffRole.ADMIN, "backoffice:payment_new", 200),
        ("", "backoffice:index", 403),  # staff flag without a role
    ],
)
def test_roles_have_least_privilege(client, role, name, status):
    client.force_login(staff(role))
    assert client.get(reverse(name)).status_code == status


def test_single_payment_is_recorded_allocated_and_audited(client, billed_unit):
    client.force_login(staff(StaffRole.INTAKE, "shouli"))
    july = UnitMonth.objects.get(unit=billed_unit, month=202507)
    response = client.post(reverse("backoffice:payment_new"), {
        "unit_number": billed_unit.number, "amount": f"{july.total / 100:,.2f}",
        "paid_date": "2025-08-20", "month": "2025-07", "reference": "柜台001"})
    assert response.status_code == 302
    july.refresh_from_db()
    assert july.paid == july.total
    event = Event.objects.get(action="payment_record")
    assert (event.actor_kind, event.actor, event.object_ref) == (
        "staff", "shouli", billed_unit.number)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("unit_number", "99999999", "单位编号 99999999 不存在"),
        ("amount", "0", "缴费金额必须大于零"),
        ("amount", "1.234", "不是有效金额"),
        ("paid_date", "2025-02-30", "该日不存在"),
        ("paid_date", "2999-01-01", "不能晚于今天"),
        ("month", "2025-13", "不是有效的年月"),
    ],
)
def test_bad_payment_input_changes_nothing(client, billed_unit, field, value, message):
    client.force_login(staff(StaffRole.INTAKE))
    data = {"unit_number": billed_unit.number, "amount": "100", "paid_date": "2025-08-20",
            "month": "", "reference": ""}
    data[field] = value
    response = client.post(reverse("backoffice:payment_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Payment.objects.count() == 0


def test_bank_file_errors_are_listed_and_nothing_applied(client, billed_unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(staff(StaffRole.INTAKE))
    body = ("单位编号,费款所属期,金额,缴费日期\n"
            f"{billed_unit.number},202507,abc,2025-08-20\n"
            "00000000,202507,1.00,2025-08-20\n").encode("gb18030")
    response = client.post(reverse("backoffice:bankfile_upload"),
                           {"file": SimpleUploadedFile("t.csv", body, "text/csv")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件有 2 处错误，未导入任何数据" in html
    assert "第 2 行" in html and "第 3 行" in html and "单位编号不存在" in html
    assert Payment.objects.count() == 0


def test_arrears_list_with_late_fees_and_bounded_queries(client, billed_unit,
                                                         django_assert_max_num_queries):
    for _ in range(3):
        unit = make_unit()
        make_enrolment(make_person(), unit, first=Month(2025, 1), wage=800_000,
                       policy_years=(2025,))
    settlement_run(Month(2025, 7), bill_month=Month(2025, 7))
    client.force_login(staff(StaffRole.REVIEW))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("backoffice:arrears"), {"as_of": "2025-10-15"})
    html = response.content.decode()
    assert "共有 4 个单位欠费" in html
    assert billed_unit.name in html
    july = UnitMonth.objects.get(unit=billed_unit, month=202507)
    aug = UnitMonth.objects.get(unit=billed_unit, month=202508)
    as_of = dt.date(2025, 10, 15)
    fee = (late_fee(july.total, july.due_date, as_of) + late_fee(aug.total, aug.due_date, as_of))
    row = (f"<td class=\"num\">2</td>\n      <td>2025年07月</td>"
           f"<td class=\"num\">{format_fen_grouped(july.total + aug.total)}</td>"
           f"<td class=\"num\">{format_fen_grouped(fee)}</td>")
    assert row in html
    response = client.get(reverse("backoffice:arrears"), {"as_of": "2025-13-01"})
    assert "不是有效日期" in response.content.decode()


def test_a_bank_file_imported_twice_is_a_warning_in_beijing_time(client, billed_unit):
    """The duplicate is a refusal (warning, not a success or a neutral note), and its
    import time is Beijing time: 2025-08-20 17:30 UTC is 2025-08-21 01:30 in Beijing."""
    from django.contrib.messages import WARNING, get_messages
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shebao.contributions.models import PaymentBatch

    client.force_login(staff(StaffRole.INTAKE))
    body = ("单位编号,费款所属期,金额,缴费日期\n"
            f"{billed_unit.number},202507,1.00,2025-08-20\n").encode("gb18030")
    upload = reverse("backoffice:bankfile_upload")
    client.post(upload, {"file": SimpleUploadedFile("t.csv", body, "text/csv")}, follow=True)
    PaymentBatch.objects.update(imported_at=dt.datetime(2025, 8, 20, 17, 30, tzinfo=dt.UTC))
    response = client.post(upload, {"file": SimpleUploadedFile("t.csv", body, "text/csv")})
    [message] = list(get_messages(response.wsgi_request))
    assert message.level == WARNING
    assert "该文件已于 2025-08-21 01:30 导入，本次未重复入账" in message.message
    html = client.get(upload).content.decode()
    assert '<li class="warning" role="alert">该文件已于 2025-08-21 01:30 导入' in html
    assert Payment.objects.count() == 1


def test_an_unfinished_settlement_run_is_shown_and_its_bills_are_not_arrears(
        client, billed_unit):
    """A run stopped after its first batch (as a killed one is): staff see it on the home
    and arrears pages, and August's provisional bills are not counted as arrears."""
    other = make_unit()
    make_enrolment(make_person(), other, first=Month(2025, 1), wage=800_000,
                   policy_years=(2025,))

    def stop(done: int, total: int) -> None:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        settlement_run(Month(2025, 8), bill_month=Month(2025, 8), batch_size=1,
                       progress=stop)
    client.force_login(staff(StaffRole.REVIEW))
    notice = "2025年08月月度核定未完成：已核定 1/2 个单位"
    assert notice in client.get(reverse("backoffice:index")).content.decode()
    html = client.get(reverse("backoffice:arrears"), {"as_of": "2025-10-15"}).content.decode()
    assert notice in html and "shebao settle 2025-08" in html
    july = UnitMonth.objects.get(unit=billed_unit, month=202507)
    row = (f"<td class=\"num\">1</td>\n      <td>2025年07月</td>"
           f"<td class=\"num\">{format_fen_grouped(july.total)}</td>")
    assert row in html  # July only: August is provisional
