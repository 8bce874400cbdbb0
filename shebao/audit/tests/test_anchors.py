"""Anchors outside the database: the newest events cut off the log are found, and a
forged or damaged anchor file is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from shebao.audit.anchors import (
    AnchorFileError,
    anchor_write,
    anchors_read,
    anchors_verify,
)
from shebao.audit.models import Event
from shebao.audit.services import SYSTEM, chain_verify, event_record

pytestmark = pytest.mark.django_db


def record(n: int) -> None:
    for i in range(n):
        event_record(actor=SYSTEM, action="test_event", object_type="t", object_ref=str(i))


def delete_from(seq: int) -> None:
    """Cut the newest events off, behind the ORM's back."""
    table = connection.ops.quote_name(Event._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE seq >= %s", [seq])


def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        call_command("audit", "verify")
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def anchor_file(settings: Any) -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def test_anchor_then_verify(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    record(3)
    call_command("audit", "anchor")
    assert capsys.readouterr().out.startswith("已记录锚点：第 3 号事件 ")
    record(2)  # later events need no anchor of their own
    assert verify(capsys) == (0, "审计日志哈希链完整，与最新锚点（第 3 号事件）一致\n", "")
    (line,) = anchor_file(settings).read_text().splitlines()
    assert set(json.loads(line)) == {"seq", "hash", "at", "mac"}


def test_the_newest_events_cut_off_are_found(capsys: pytest.CaptureFixture[str]) -> None:
    record(3)
    anchor_write()
    record(2)
    anchor_write()
    delete_from(4)
    assert chain_verify() is None  # what is left of the chain is intact ...
    code, out, err = verify(capsys)  # ... but the anchor of event 5 is not met
    assert (code, out) == (1, "")
    assert err.startswith("审计日志被截断：第 5 号事件（") and "最新的事件被删除" in err


def test_cut_off_and_appended_again_is_found(capsys: pytest.CaptureFixture[str]) -> None:
    record(3)
    anchor_write()
    delete_from(3)
    record(1)  # a new event 3, chained correctly, different from the anchored one
    assert chain_verify() is None
    code, _, err = verify(capsys)
    assert code == 1 and "第 3 号事件" in err and "哈希已改变" in err


def test_an_empty_log_writes_no_anchor(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert anchor_write() is None
    call_command("audit", "anchor")
    assert capsys.readouterr().out == "审计日志为空，未记录锚点\n"
    assert not anchor_file(settings).exists()


def test_a_forged_anchor_is_refused(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    record(2)
    anchor_write()
    path = anchor_file(settings)
    line = json.loads(path.read_text())
    line["seq"] = 1  # moved back, so that deleting event 2 would pass
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(AnchorFileError, match="第 1 行签名不符"):
        anchors_read()
    code, _, err = verify(capsys)
    assert code == 1 and "签名不符" in err


def test_a_different_key_does_not_verify(settings: Any) -> None:
    record(1)
    anchor_write()
    settings.AUDIT_ANCHOR_KEY = "another-key"
    with pytest.raises(AnchorFileError, match="签名不符"):
        anchors_read()


@pytest.mark.parametrize("text", ["not json", '{"seq": 1}', '["a"]'])
def test_a_damaged_line_is_refused(settings: Any, text: str) -> None:
    record(1)
    anchor_write()
    with anchor_file(settings).open("a") as fh:
        fh.write(text + "\n")
    with pytest.raises(AnchorFileError, match="第 2 行格式错误"):
        anchors_read()


def test_anchors_out_of_order_are_refused() -> None:
    record(2)
    anchor_write()  # line 1: event 2
    delete_from(2)
    anchor_write()  # line 2: event 1, validly signed but older than line 1
    with pytest.raises(AnchorFileError, match="第 2 行的序号小于前一行"):
        anchors_read()


def test_no_anchor_file_verifies_the_chain_alone() -> None:
    record(2)
    assert anchors_read() == [] and anchors_verify([]) is None
