"""Kill -9 during the apply of a batch file (issue 9, item 6): a subprocess submitting a
300-line 增员 draft is killed at a fault point inside its transaction, after every row
is written; the database holds nothing of the run, and a re-run leaves exactly what a
clean run leaves. And two drafts of one change submitted by two processes at once take
effect once (item 5). On whichever database SHEBAO_DATABASE_URL names."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shebao.audit.services import Actor
from shebao.declarations.batchfiles.kinds import AddRecord, Record, RemoveRecord
from shebao.declarations.services import declaration_create
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.periods import Month
from shebao.tests.crash import CrashDb
from shebao.tests.helpers import make_enrolment, make_person, make_unit

DAY = "2025-09-10"
LINES = 300


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_batch_apply_leaves_nothing_and_a_rerun_equals_a_clean_run(
        tmp_path: Path) -> None:
    unit = make_unit()
    records: list[Record] = [
        AddRecord(row=n + 1, id_number=valid_id_number(dt.date(1990, 1, 1), n * 2 + 1),
                  name=f"员工{n}", hukou="urban", reason="new", start=Month(2025, 9),
                  wage=900_000 + n * 100, phone="") for n in range(LINES)]
    draft = declaration_create(unit=unit, records=records, source="batch",
                               file_digest="c" * 64, actor=Actor("unit", unit.number))
    db = CrashDb(tmp_path)
    db.publish()
    state = ("snapshot", unit.number, "2025")
    before = db.driver(*state)
    clean = db.driver("clean", "submit", str(draft.pk), DAY, unit.number, "2025")
    assert db.driver(*state) == before  # the clean run was rolled back
    assert len(clean["enrolments"]) == LINES * 5 and clean["lines_linked"] == LINES

    db.kill_at("declaration_submit", "shebao.tests.crash_driver", "submit", str(draft.pk), DAY)

    assert db.driver(*state) == before
    db.run("shebao.tests.crash_driver", "submit", str(draft.pk), DAY)
    after = db.driver(*state)
    assert after == clean
    assert after["declarations"] == [["enrol", "effective", "202509"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_leave_drafts_submitted_at_the_same_time_take_effect_once(
        tmp_path: Path) -> None:
    """The second submission waits for the first (the persons are locked) and then
    sees what it changed: refused, naming the first receipt."""
    unit, person = make_unit(), make_person()
    make_enrolment(person, unit, first=Month(2024, 1))
    one, two = (declaration_create(unit=unit, records=[RemoveRecord(
        row=2, id_number=person.id_number, name=person.name, reason=reason,
        end=Month(2025, 9))], actor=Actor("unit", unit.number))
        for reason in ("contract_terminated", "other"))
    db = CrashDb(tmp_path)
    db.publish()

    first = db.paused_at("declaration_submit", "shebao.tests.crash_driver", "submit",
                         str(one.pk), DAY)
    second = subprocess.Popen(
        [sys.executable, "-m", "shebao.tests.crash_driver", "submit", str(two.pk), DAY],
        env=db.env(), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # long enough for the second to reach the lock the first holds
    receipt = json.loads(db.release("declaration_submit", first))["receipt_no"]
    out, err = second.communicate(timeout=60)

    assert second.returncode == 0, err[-3000:]
    assert f"回执号 {receipt}" in json.loads(out)["refused"]
    state = db.driver("snapshot", unit.number, "2025")
    assert state["declarations"] == [["leave", "draft", "None"], ["leave", "effective", "202509"]]
    assert {row[6] for row in state["enrolments"]} == {"contract_terminated"}
