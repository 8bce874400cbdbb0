"""Kill -9 during `shebao settle` (issue 11, item 6): the command, run in a subprocess
with one unit per batch, is killed after its first batch has committed, or after its
last one while it finishes. No bill of the month is then final, `shebao close-month`
refuses the month (exit 2, in Chinese), and a re-run leaves exactly the rows, bills and
totals a clean run leaves. On whichever database SHEBAO_DATABASE_URL names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shebao.audit.models import Event
from shebao.contributions.settlement import settlement_run
from shebao.lib.periods import Month
from shebao.registry.models import WageBase
from shebao.tests.crash import WAIT_SECONDS, CrashDb
from shebao.tests.helpers import make_enrolment, make_person, make_unit

AUG = Month(2025, 8)
SETTLE = ("shebao.cli", "settle", str(AUG), "--bill-month", str(AUG), "--batch-size", "1")


@pytest.mark.parametrize("point", ["settlement_batch", "settlement_run_finish"])
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_settlement_leaves_no_final_bill_and_a_rerun_equals_a_clean_run(
        tmp_path: Path, point: str) -> None:
    for n in range(3):
        unit = make_unit()
        for k in range(2):
            make_enrolment(make_person(), unit, first=Month(2024, 1),
                           wage=900_000 + n * 300_000 + k * 50_000, policy_years=(2025,))
    settlement_run(AUG, bill_month=AUG)
    WageBase.objects.filter(policy_year=2025).update(wage=2_000_000)  # the re-run changes
    db = CrashDb(tmp_path)
    db.publish()
    before = db.driver("settled", str(AUG))
    clean = db.driver("clean-settle", str(AUG), str(AUG), "1")
    assert db.driver("settled", str(AUG)) == before  # the clean run was rolled back
    assert clean["bills"] != before["bills"] and len(clean["final"]) == 3
    actions = list(Event.objects.order_by("seq").values_list("action", flat=True))

    db.kill_at(point, *SETTLE)

    killed = db.driver("settled", str(AUG))
    assert killed["final"] == []  # every August bill is provisional
    assert sorted(r[-1] for r in killed["runs"]) == ["False", "True"]  # one unfinished
    refused = subprocess.run([sys.executable, "-m", "shebao.cli", "close-month", str(AUG)],
                             env=db.env(), cwd=tmp_path, capture_output=True, text=True,
                             timeout=WAIT_SECONDS, check=False)
    assert refused.returncode == 2, refused.stderr
    assert "2025-08 不能关账。2025年08月月度核定未完成" in refused.stderr
    assert db.driver("settled", str(AUG)) == killed  # the refusal changed nothing

    db.run(*SETTLE)
    assert db.driver("settled", str(AUG)) == clean
    assert db.driver("events")[len(actions):] == [
        "settlement_run_start", "settlement_run_restart", "settlement_run"]
