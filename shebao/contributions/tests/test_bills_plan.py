"""No plan cliff in `bills_refresh` (issue 11, item 5): the statement that zeroes the open
bills left without rows is planned, on PostgreSQL, with the statistics the first
settlement of a month meets (the month's rows deleted, ANALYZE seeing none, then a
batch of rows written), and the plan must read the contribution index once, never once
per bill. Checked on the executed plan (EXPLAIN (ANALYZE, FORMAT JSON)), inside the
test's transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from shebao.contributions.models import UnitMonth
from shebao.contributions.settlement import BILLS_ZERO_SQL, due_date_of, settlement_run
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG = Month(2025, 8)
UNITS = 120
HISTORY_MONTHS = 24  # bill months before August, each unit's rows in the index
ROWS_PER_MONTH = 25


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("plans and statistics of PostgreSQL's planner: run with "
                    "SHEBAO_DATABASE_URL pointing at PostgreSQL (CI does)")


def test_zeroing_reads_the_contribution_index_once_with_empty_statistics(
        postgresql_only: None) -> None:
    persons = [make_person().id for _ in range(ROWS_PER_MONTH)]
    units = [make_unit() for _ in range(UNITS)]
    ids = [u.id for u in units]
    now = timezone.now()
    UnitMonth.objects.bulk_create([
        UnitMonth(unit=u, month=int(AUG), persons=3, employer=100, personal=50, total=150,
                  due_date=due_date_of(AUG), settled_at=now) for u in units])
    history = [int(AUG.add(-k)) for k in range(1, HISTORY_MONTHS + 1)]
    # one wide row per person a month (decision 0012), ROWS_PER_MONTH people a unit
    insert = """INSERT INTO contributions_contribution
                  (unit_id, person_id, month, bill_month, kind, pension_base,
                   pension_employer, pension_personal)
                SELECT u, p, b, b, 'regular', 1000, 160, 80
                FROM unnest(%(units)s::bigint[]) u, unnest(%(months)s::int[]) b,
                     unnest(%(persons)s::bigint[]) p"""
    with connection.cursor() as cur:
        cur.execute(insert, {"persons": persons, "units": ids, "months": history})
        # the first settlement of the month: none of its rows in the statistics...
        cur.execute("ANALYZE contributions_contribution")
        cur.execute("ANALYZE contributions_unitmonth")
        # ... then a batch writes them for every other unit
        cur.execute(insert, {"persons": persons, "units": ids[::2], "months": [int(AUG)]})
        cur.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {BILLS_ZERO_SQL}",
                    {"m": int(AUG), "lo": min(ids), "hi": max(ids), "now": now,
                     "due": dt.date(2025, 9, 30)})
        value = cur.fetchone()[0]
    (plan,) = json.loads(value) if isinstance(value, str) else value
    scans = [n for n in nodes(plan["Plan"])
             if n.get("Relation Name") == "contributions_contribution"]
    assert scans, plan
    assert [(n["Node Type"], n["Actual Loops"]) for n in scans
            if n["Actual Loops"] > 1] == [], json.dumps(plan, indent=1)
    zeroed = set(UnitMonth.objects.filter(month=int(AUG), total=0)
                 .values_list("unit_id", flat=True))
    assert zeroed == set(ids[1::2])


def test_a_run_leaves_statistics_that_know_the_month(postgresql_only: None) -> None:
    unit = make_unit()
    for _ in range(3):
        make_enrolment(make_person(), unit, first=Month(2024, 1), wage=1_000_000,
                       policy_years=(2025,))
    settlement_run(AUG, bill_month=AUG)
    with connection.cursor() as cur:
        cur.execute("""SELECT most_common_vals::text FROM pg_stats
                       WHERE tablename = 'contributions_contribution'
                         AND attname = 'bill_month'""")
        row = cur.fetchone()
    assert row is not None and str(int(AUG)) in row[0]
