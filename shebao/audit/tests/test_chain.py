"""The audit log's hash chain: `event_record`, `chain_verify` and `shebao audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from shebao.audit.models import ActorKind, Event
from shebao.audit.services import (
    GENESIS,
    SYSTEM,
    Actor,
    _content,
    _digest,
    chain_verify,
    event_record,
)

pytestmark = pytest.mark.django_db

STAFF = Actor(ActorKind.STAFF, "wangfang", "10.1.2.3")


def record_three() -> list[Event]:
    return [
        event_record(actor=SYSTEM, action="policy_load", object_type="policy_file",
                     object_ref="beijing_policy.csv", after={"created": 327, "updated": 0}),
        event_record(actor=STAFF, action="unit_change", object_type="unit",
                     object_ref="1000000001", before={"phone": "010-1"},
                     after={"phone": "010-2"}),
        event_record(actor=STAFF, action="unit_online_open", object_type="unit",
                     object_ref="1000000001"),
    ]


def raw_sql(sql: str, params: list[str | int]) -> None:
    """Tamper behind the ORM's back, as someone with database access would."""
    with connection.cursor() as cur:
        cur.execute(sql.format(table=connection.ops.quote_name(Event._meta.db_table),
                               after=connection.ops.quote_name("after")), params)


def test_event_record_links_each_event_to_the_previous_one() -> None:
    first, second, third = record_three()
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert all(len(e.hash) == 64 for e in (first, second, third))


def test_event_record_keeps_actor_and_change() -> None:
    _, second, _ = record_three()
    stored = Event.objects.get(seq=2)
    assert stored.pk == second.pk
    assert (stored.actor_kind, stored.actor, stored.source_ip) == ("staff", "wangfang", "10.1.2.3")
    assert (stored.action, stored.object_type, stored.object_ref) == (
        "unit_change", "unit", "1000000001",
    )
    assert (stored.before, stored.after) == ({"phone": "010-1"}, {"phone": "010-2"})


def test_empty_log_is_intact() -> None:
    assert chain_verify() is None


def test_intact_chain_verifies_after_reading_back() -> None:
    record_three()
    assert chain_verify() is None


def test_edited_after_field_is_found() -> None:
    record_three()
    raw_sql("UPDATE {table} SET {after} = %s WHERE seq = %s", ['{"phone": "010-9"}', 2])
    broken = chain_verify()
    assert isinstance(broken, Event)
    assert (broken.seq, broken.action, broken.after) == (2, "unit_change", {"phone": "010-9"})


def test_overwritten_hash_is_found() -> None:
    record_three()
    raw_sql("UPDATE {table} SET hash = %s WHERE seq = %s", ["f" * 64, 1])
    broken = chain_verify()
    assert isinstance(broken, Event)
    assert broken.seq == 1


def test_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    record_three()
    forged = Event.objects.get(seq=2)
    forged.after = {"phone": "010-9"}
    forged_hash = _digest(_content(forged))
    raw_sql("UPDATE {table} SET {after} = %s, hash = %s WHERE seq = %s",
            ['{"phone": "010-9"}', forged_hash, 2])
    broken = chain_verify()
    assert isinstance(broken, Event)
    assert broken.seq == 3  # event 2 is self-consistent; event 3 still links to the old hash


def test_deleted_event_is_reported_by_its_seq() -> None:
    record_three()
    raw_sql("DELETE FROM {table} WHERE seq = %s", [2])
    assert chain_verify() == 2


def test_deleted_first_event_is_reported() -> None:
    record_three()
    raw_sql("DELETE FROM {table} WHERE seq = %s", [1])
    assert chain_verify() == 1


# --- the command -----------------------------------------------------------------------


def test_verify_command_exits_0_when_intact(capsys: pytest.CaptureFixture[str]) -> None:
    record_three()
    call_command("audit", "verify")  # returns normally: exit status 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "审计日志哈希链完整（尚无锚点，无法发现最新事件被删除）\n", "")


def test_verify_command_names_the_edited_event(capsys: pytest.CaptureFixture[str]) -> None:
    record_three()
    raw_sql("UPDATE {table} SET {after} = %s WHERE seq = %s", ['{"phone": "010-9"}', 2])
    with pytest.raises(SystemExit) as excinfo:
        call_command("audit", "verify")
    captured = capsys.readouterr()
    assert excinfo.value.code == 1
    assert captured.out == ""
    assert captured.err == "审计日志哈希链断裂：第 2 号事件被修改（unit_change）\n"


def test_verify_command_names_the_deleted_event(capsys: pytest.CaptureFixture[str]) -> None:
    record_three()
    raw_sql("DELETE FROM {table} WHERE seq = %s", [2])
    with pytest.raises(SystemExit) as excinfo:
        call_command("audit", "verify")
    captured = capsys.readouterr()
    assert excinfo.value.code == 1
    assert captured.err == "审计日志哈希链断裂：第 2 号事件缺失（已被删除）\n"
