"""申报审核 in the back office: the queue, a declaration by receipt number, approve and
return (with its reason), roles, and what the unit sees afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import make_staff
from shebao.audit.models import Event
from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.contributions.models import Contribution
from shebao.declarations.models import Declaration, Status
from shebao.declarations.tests.helpers import make_backpay, make_billed, unit_login
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db
QUEUE = "/backoffice/declarations/"


@pytest.fixture
def holder(local_ca: LocalCa, tmp_path: Path) -> Holder:
    return unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")


def backpays(holder: Holder, n: int) -> list[Declaration]:
    person = make_person(name="赵补缴")
    make_enrolment(person, holder.unit, first=Month(2020, 1))
    return [make_backpay(holder, person, months=(Month(2021, 1).add(i), Month(2021, 1).add(i)))
            for i in range(n)]


def reviewer(role: str = StaffRole.REVIEW, name: str = "shenhe") -> Client:
    client = Client()
    client.force_login(make_staff(role, name))
    return client


def test_queue_lists_declarations_under_review_oldest_first(holder: Holder) -> None:
    first, second, done = backpays(holder, 3)
    Declaration.objects.filter(pk=done.pk).update(status=Status.EFFECTIVE)
    html = reviewer().get(QUEUE).content.decode()
    table = html.split('id="queue"')[1]
    assert table.index(str(first.receipt_no)) < table.index(str(second.receipt_no))
    assert str(done.receipt_no) not in table
    for text in (holder.unit.number, holder.unit.name, "补缴", "共 2 件待审核"):
        assert text in html, text


def test_queue_has_a_fixed_number_of_queries(holder: Holder) -> None:
    client = reviewer()
    backpays(holder, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE)
    backpays(holder, 12)
    with CaptureQueriesContext(connection) as many:
        client.get(QUEUE)
    assert len(many) == len(few) and len(few) <= 8


def test_detail_shows_the_lines_and_both_actions(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer()
    html = client.get(f"{QUEUE}{declaration.receipt_no}/").content.decode()
    line = declaration.lines.get()
    for text in (declaration.receipt_no, holder.unit.name, line.id_number, "赵补缴",
                 "入职当月漏报", "审核通过", "退回原因", declaration.content_digest):
        assert str(text) in html, text
    assert reviewer(StaffRole.ADMIN, "admin1").get(
        f"{QUEUE}{declaration.receipt_no}/").status_code == 200
    assert client.get(f"{QUEUE}20260101XXXXXXXX/").status_code == 404


def test_approve_applies_the_backpay_and_the_unit_sees_it_effective(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer()

    response = client.post(f"{QUEUE}{declaration.receipt_no}/approve/", follow=True)

    assert response.redirect_chain == [(QUEUE, 302)]
    assert "已审核通过，申报已生效" in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.status, declaration.decided_by) == (Status.EFFECTIVE, "shenhe")
    assert Contribution.objects.filter(unit=holder.unit, kind="backpay").exists()
    assert Event.objects.filter(action="declaration_approve", actor="shenhe",
                                object_ref=declaration.receipt_no).exists()
    unit = Client()
    unit_login(unit, holder)
    assert "已生效" in unit.get("/unit/declarations/").content.decode()
    html = client.get(f"{QUEUE}{declaration.receipt_no}/").content.decode()
    assert "审核通过</button>" not in html  # decided: no more actions


def test_the_reviewer_sees_an_overlap_with_another_backpay_under_review(holder: Holder) -> None:
    person, other = make_person(name="赵补缴"), make_person(name="钱不重叠")
    for p in (person, other):
        make_enrolment(p, holder.unit, first=Month(2020, 1))
    first = make_backpay(holder, person, months=(Month(2024, 1), Month(2024, 3)))
    make_backpay(holder, other, months=(Month(2024, 1), Month(2024, 3)))  # another person
    second = make_backpay(holder, person, months=(Month(2024, 3), Month(2024, 5)))
    client = reviewer()

    html = client.get(f"{QUEUE}{second.receipt_no}/").content.decode()
    section = html.split('id="overlaps"')[1].split("</section>")[0]
    assert str(first.receipt_no) in section and "2024年03月" in section
    assert "2024年04月" not in section and "钱不重叠" not in section
    assert str(second.receipt_no) in client.get(
        f"{QUEUE}{first.receipt_no}/").content.decode().split('id="overlaps"')[1]

    # approving the first: the second is refused, and its page says why
    client.post(f"{QUEUE}{first.receipt_no}/approve/", follow=True)
    response = client.post(f"{QUEUE}{second.receipt_no}/approve/", follow=True)
    page = response.content.decode()
    assert "2024年03月" in page and "不能重复补缴" in page and "已审核通过" not in page
    second.refresh_from_db()
    assert second.status == Status.REVIEWING
    assert 'id="overlaps"' not in page  # the first is decided: an approved month now
    assert Contribution.objects.filter(unit=holder.unit, kind="backpay", month=202403,
                                       pension_base__isnull=False).count() == 1


def test_a_backpay_of_months_billed_since_is_not_quoted_to_the_reviewer(
        holder: Holder) -> None:
    person = make_person(name="孙已缴")
    make_enrolment(person, holder.unit, first=Month(2020, 1))
    declaration = make_backpay(holder, person, months=(Month(2024, 5), Month(2024, 6)))
    make_billed(person, holder.unit, Month(2024, 6))
    html = reviewer().get(f"{QUEUE}{declaration.receipt_no}/").content.decode()
    assert "2024年06月 已核定缴费，不能重复补缴" in html


def test_a_unit_change_under_review_is_reviewed_as_a_change(holder: Holder) -> None:
    from shebao.audit.services import Actor
    from shebao.declarations.changes import change_create
    from shebao.declarations.services import declaration_submit
    from shebao.declarations.tests.helpers import signed_by, today
    from shebao.registry.models import Unit

    actor = Actor("unit", holder.unit.number)
    draft = change_create(unit=holder.unit, actor=actor,
                          values={"district": "海淀区", "contact_phone": "010-65001234"})
    declaration = declaration_submit(draft, signed=signed_by(holder, draft), actor=actor,
                                     today=today(), cutoff_day=25)
    assert declaration.status == Status.REVIEWING
    client = reviewer()
    html = client.get(f"{QUEUE}{declaration.receipt_no}/").content.decode()
    assert "请核对变更项目" in html and "补缴费用" not in html
    assert "海淀区" in html and "经办机构审核" in html
    client.post(f"{QUEUE}{declaration.receipt_no}/approve/")
    unit = Unit.objects.get(pk=holder.unit.pk)
    assert (unit.district, unit.contact_phone) == ("110108", "010-65001234")


def test_return_needs_a_reason_and_the_unit_sees_it(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer()
    url = f"{QUEUE}{declaration.receipt_no}/return/"

    empty = client.post(url, {"reason": "   "})
    assert empty.status_code == 400
    assert "退回时必须填写退回原因" in empty.content.decode()
    assert Declaration.objects.get().status == Status.REVIEWING

    response = client.post(url, {"reason": "请补充提交劳动合同复印件"}, follow=True)

    assert "已退回" in response.content.decode()
    declaration.refresh_from_db()
    assert (declaration.status, declaration.return_reason) == (
        Status.RETURNED, "请补充提交劳动合同复印件")
    assert not Contribution.objects.exists()
    assert Event.objects.filter(action="declaration_return", actor="shenhe").exists()
    unit = Client()
    unit_login(unit, holder)
    html = unit.get("/unit/declarations/").content.decode()
    assert "已退回" in html and "退回原因：请补充提交劳动合同复印件" in html
    receipt = unit.get(f"/unit/declarations/{declaration.receipt_no}/").content.decode()
    assert "退回原因：请补充提交劳动合同复印件" in receipt


def test_deciding_twice_is_refused_in_chinese(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer()
    client.post(f"{QUEUE}{declaration.receipt_no}/approve/")
    response = client.post(f"{QUEUE}{declaration.receipt_no}/approve/", follow=True)
    assert "只有审核中的申报可以审核通过" in response.content.decode()
    response = client.post(f"{QUEUE}{declaration.receipt_no}/return/", {"reason": "x"},
                           follow=True)
    assert "不能变为“已退回”" in response.content.decode()
    assert Declaration.objects.get().status == Status.EFFECTIVE


@pytest.mark.parametrize("suffix", ["", "{r}/", "{r}/approve/", "{r}/return/"])
def test_intake_staff_may_not_review(holder: Holder, suffix: str) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer(StaffRole.INTAKE, "shouli")
    url = QUEUE + suffix.format(r=declaration.receipt_no)
    response = client.post(url, {"reason": "x"}) if suffix.endswith(("approve/", "return/")) \
        else client.get(url)
    assert response.status_code == 403
    assert Declaration.objects.get().status == Status.REVIEWING


def test_a_unit_may_not_review_its_own_declaration(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    unit = Client()
    unit_login(unit, holder)
    assert unit.post(f"{QUEUE}{declaration.receipt_no}/approve/").status_code == 403
    assert unit.get(QUEUE).status_code == 403
    anonymous = Client()
    assert anonymous.post(f"{QUEUE}{declaration.receipt_no}/approve/")["Location"].startswith(
        "/staff/login/")
    assert Declaration.objects.get().status == Status.REVIEWING


def test_actions_take_post_only(holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    client = reviewer()
    for action in ("approve", "return"):
        assert client.get(f"{QUEUE}{declaration.receipt_no}/{action}/").status_code == 405
