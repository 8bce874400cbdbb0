"""Kill -9 during `shebao close-year` (issue 9, item 6): the command, run in a
subprocess, is killed at a fault point inside its transaction after every account's
year is written; the database holds nothing of the run, and a re-run leaves exactly what
a clean run leaves. On whichever database SHEBAO_DATABASE_URL names."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from shebao.pension.models import AccountCredit, AccountYear, ClosedYear
from shebao.tests.crash import CrashDb
from shebao.tests.helpers import make_person, make_unit

YEAR = 2024
ACCOUNTS = 40


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_close_year_leaves_nothing_and_a_rerun_equals_a_clean_run(
        tmp_path: Path) -> None:
    unit = make_unit()
    # the year before is closed: years close in order (decision 0011)
    ClosedYear.objects.create(year=YEAR - 1, source=ClosedYear.Source.CLOSED,
                              accounts=ACCOUNTS, closed_at=timezone.now())
    for n in range(ACCOUNTS):
        person = make_person()
        AccountYear.objects.create(
            person=person, year=YEAR - 1, opening=0, months_paid=12, average_base=800_000,
            credits=768_000, interest_opening=0, interest_credits=0,
            closing=1_000_000 + n * 12_345, cumulative_months=60 + n, rate_ppm=39_700,
            source="closed")
        AccountCredit.objects.bulk_create([
            AccountCredit(person=person, unit_id=unit.pk, year=YEAR, month=YEAR * 100 + m,
                          base=800_000 + n * 1_000, amount=(800_000 + n * 1_000) * 8 // 100)
            for m in range(1, 13 - n % 4)])
    db = CrashDb(tmp_path)
    db.publish()
    state = ("snapshot", unit.number, str(YEAR))
    before = db.driver(*state)
    clean = db.driver("clean", "close-year", str(YEAR), unit.number, str(YEAR))
    assert db.driver(*state) == before  # the clean run was rolled back
    assert len(clean["account_years"]) == ACCOUNTS

    db.kill_at("account_close_year", "shebao.cli", "close-year", str(YEAR))

    assert db.driver(*state) == before
    db.run("shebao.cli", "close-year", str(YEAR))
    assert db.driver(*state) == clean
