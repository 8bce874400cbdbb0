"""The audit log page: filters, paging, readable JSON, roles, chain check, query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import make_staff, staff_client_login
from shebao.audit.models import Event
from shebao.audit.services import Actor, event_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(client):
    make_staff(StaffRole.REVIEW, "shenhe")
    assert staff_client_login(client, "shenhe").status_code == 302
    return client


def record(action: str, *, actor: str = "system", kind: str = "system", ref: str = "",
           object_type: str = "unit", after: dict | None = None) -> Event:
    return event_record(actor=Actor(kind, actor, "10.0.0.8"), action=action,
                        object_type=object_type, object_ref=ref, after=after)


def seqs(response) -> list[int]:
    return [row.event.seq for row in response.context["rows"]]


def test_newest_first_with_readable_json(reviewer):
    record("payment_record", ref="10000001", after={"金额": "1,000.00", "单位": "北京甲"})
    response = reviewer.get("/backoffice/audit/")
    rows = response.context["rows"]
    assert [r.event.seq for r in rows] == sorted((r.event.seq for r in rows), reverse=True)
    page = response.content.decode()
    assert "&quot;金额&quot;: &quot;1,000.00&quot;" in page  # pretty, not \\u escaped
    assert "staff_login" in page and "工作人员登录" in page


@pytest.mark.parametrize(
    ("params", "expected_actions"),
    [({"action": "payment_record"}, {"payment_record"}),
     ({"actor": "shouli"}, {"bankfile_import"}),
     ({"actor_kind": "person"}, {"person_login"}),
     ({"object_type": "person", "object_ref": "abc123"}, {"person_login"}),
     ({"object_ref": "10000002"}, {"payment_record"})],
)
def test_filters(reviewer, params, expected_actions):
    record("payment_record", ref="10000001")
    record("payment_record", ref="10000002")
    record("bankfile_import", actor="shouli", kind="staff", object_type="payment_batch")
    record("person_login", actor="110105********0011", kind="person", object_type="person",
           ref="abc123")
    response = reviewer.get("/backoffice/audit/", params)
    actions = {row.event.action for row in response.context["rows"]}
    assert actions == expected_actions
    if "object_ref" in params and "object_type" not in params:
        assert len(response.context["rows"]) == 1


def test_date_range_is_inclusive_in_beijing_time(reviewer):
    early = record("payment_record", ref="early")
    late = record("payment_record", ref="late")
    Event.objects.filter(pk=early.pk).update(
        at=timezone.make_aware(dt.datetime(2025, 3, 1, 23, 59)))
    Event.objects.filter(pk=late.pk).update(
        at=timezone.make_aware(dt.datetime(2025, 3, 2, 0, 1)))
    response = reviewer.get("/backoffice/audit/", {"date_from": "2025-03-02",
                                                   "date_to": "2025-03-02"})
    assert seqs(response) == [late.seq]
    response = reviewer.get("/backoffice/audit/", {"date_to": "2025-03-01"})
    assert seqs(response) == [early.seq]


def test_bad_dates_are_explained(reviewer):
    response = reviewer.get("/backoffice/audit/", {"date_from": "2025-02-30",
                                                   "date_to": "2025-01-01"})
    assert "该日不存在" in response.content.decode()
    response = reviewer.get("/backoffice/audit/", {"date_from": "2025-03-02",
                                                   "date_to": "2025-03-01"})
    assert "截止日期不能早于起始日期" in response.content.decode()


def test_pages_of_fifty(reviewer):
    for n in range(60):
        record("payment_record", ref=str(n))
    first = reviewer.get("/backoffice/audit/", {"action": "payment_record"})
    assert len(first.context["rows"]) == 50 and first.context["has_next"]
    assert "page=2" in first.content.decode() and "action=payment_record" in \
        first.content.decode()
    second = reviewer.get("/backoffice/audit/", {"action": "payment_record", "page": "2"})
    assert len(second.context["rows"]) == 10 and not second.context["has_next"]
    assert min(seqs(first)) > max(seqs(second))
    assert reviewer.get("/backoffice/audit/", {"page": "x"}).status_code == 200


def test_query_count_is_bounded(reviewer, django_assert_max_num_queries):
    for n in range(120):
        record("payment_record", ref=str(n), after={"n": n})
    # session, user, one page of events, session save (in a savepoint)
    with django_assert_max_num_queries(6):
        assert reviewer.get("/backoffice/audit/").status_code == 200


@pytest.mark.parametrize(("role", "status"), [(StaffRole.REVIEW, 200), (StaffRole.ADMIN, 200),
                                              (StaffRole.INTAKE, 403)])
def test_roles(client, role, status):
    make_staff(role, "someone")
    staff_client_login(client, "someone")
    assert client.get("/backoffice/audit/").status_code == status
    expected = 302 if status == 200 else 403
    assert client.post("/backoffice/audit/verify/").status_code == expected


def test_chain_check_reports_intact_and_broken(reviewer):
    record("payment_record", ref="1")
    response = reviewer.post("/backoffice/audit/verify/", follow=True)
    assert "审计日志哈希链完整" in response.content.decode()
    target = Event.objects.get(action="payment_record")
    Event.objects.filter(pk=target.pk).update(object_ref="2")
    response = reviewer.post("/backoffice/audit/verify/", follow=True)
    assert f"第 {target.seq} 号事件被修改" in response.content.decode()


def test_chain_check_needs_post(reviewer):
    assert reviewer.get("/backoffice/audit/verify/").status_code == 405
