"""Monthly settlement (核定): every unit's contributions for a month, set-based.

One INSERT … SELECT per batch of units (rows.py) computes every enrolled person's base
and amounts per insurance, one wide row a person (decision 0012), from their wage of
the policy year and the exact multipliers that `calculator.rate_terms` prepared (stored
in RateTerm, pivoted per unit into UnitTerm: terms.py), so the SQL and the calculator
cannot disagree. Open months are re-settled by replacing their regular rows (identical
on re-run); closed months never change: a re-settlement of a closed month writes
difference rows (补差) billed in an open month. Each run is recorded (`runs.py`): its bills
are final only once it has finished (decision 0013).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.faults import fault_point
from shebao.lib.periods import Month
from shebao.policy.selectors import Policy, policy_at
from shebao.registry.models import Unit
from shebao.registry.services import wage_bases_default

from .columns import party_total_sql
from .issues import injury_class_issues_refresh
from .models import ContributionKind, MonthStatus, UnitMonth, UnitTerm
from .rows import settle_batch
from .runs import SettlementError, month_close, run_finish, run_progress, run_start
from .terms import hukou_matters, rate_terms_store, unit_terms_store, unit_terms_units

Progress = Callable[[int, int], None]
Params = dict[str, Any]


@dataclass
class SettlementResult:
    month: Month
    units: int = 0
    closed_units: int = 0
    rows: int = 0  # regular contribution rows: one per person and unit
    difference_rows: int = 0
    defaults_created: int = 0
    missing_wage: int = 0
    missing_injury_rate: int = 0  # units billed without work injury (SettlementIssue)
    refused_units: list[str] = field(default_factory=list)


def due_date_of(month: Month) -> dt.date:
    """The due date of a month's contributions: last day of the following month [decision]."""
    return month.add(1).last_day()


_NOT_CLOSED = """NOT EXISTS (SELECT 1 FROM contributions_unitmonth um
  WHERE um.unit_id = {alias}.unit_id AND um.month = %(m)s AND um.status = 'closed')"""


def wage_defaults_fill(policy: Policy) -> int:
    """People enrolled this month with no wage for the policy year keep 110% of last
    year's wage (京人社 rule for undeclared wages; from 2019-07), as late_default rows,
    except in units whose month is closed."""
    factor = policy.late_declaration_base
    if factor is None:
        return 0
    return wage_bases_default(year=policy.year_label, month=int(policy.month),
                              factor_ppm=factor.value,
                              where=_NOT_CLOSED.format(alias="prev"))


def _batches(ids: list[int], size: int) -> list[tuple[int, int, int]]:
    return [(ids[i], ids[min(i + size, len(ids)) - 1], min(size, len(ids) - i))
            for i in range(0, len(ids), size)]


# A contribution row's employer and personal amounts over its insurances.
EMPLOYER = party_total_sql("c", "employer")
PERSONAL = party_total_sql("c", "personal")

# The open bills of units lo..hi for bill month %(m)s left without any row (their
# rows deleted by a re-settlement) are zeroed. The units that have rows are found by one
# grouped pass over the batch's range of the contribution index, materialized, and the
# bills anti-joined against that set: a correlated NOT EXISTS probe per bill was planned
# on PostgreSQL, with the statistics of a month whose rows had just been deleted, as a
# scan of the batch's whole index range per bill (0.05 s became more than 5 minutes).
# A MATERIALIZED CTE is computed once whatever the plan (PostgreSQL 12+, SQLite 3.35+).
BILLS_ZERO_SQL = """WITH billed AS MATERIALIZED (
  SELECT c.unit_id FROM contributions_contribution c
  WHERE c.unit_id BETWEEN %(lo)s AND %(hi)s AND c.bill_month = %(m)s
  GROUP BY c.unit_id)
UPDATE contributions_unitmonth SET persons = 0, employer = 0, personal = 0, total = 0,
  settled_at = %(now)s
WHERE month = %(m)s AND status = 'open' AND unit_id BETWEEN %(lo)s AND %(hi)s
  AND NOT EXISTS (SELECT 1 FROM billed b WHERE b.unit_id = contributions_unitmonth.unit_id)"""


# The late fees billed to a unit in bill month %(m)s (0 if none), for the bill row
# `contributions_unitmonth` being updated.
_CHARGES = """COALESCE((SELECT SUM(f.amount) FROM contributions_latefeecharge f
  WHERE f.unit_id = contributions_unitmonth.unit_id AND f.bill_month = %(m)s), 0)"""


def bills_refresh(bill_month: Month, lo: int, hi: int) -> None:
    """Recompute the open bills (UnitMonth) of units lo..hi for bill_month from its rows
    and late fee charges: total = employer + personal + late_fee. A unit with only a
    charge in that month gets a bill too. Closed bills never change; safe to re-run."""
    params: Params = {"m": int(bill_month), "lo": lo, "hi": hi, "now": timezone.now(),
              "due": due_date_of(bill_month)}
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO contributions_unitmonth
                 (unit_id, month, status, persons, employer, personal, late_fee, total, paid,
                  due_date, settled_at)
               SELECT c.unit_id, %(m)s, 'open',
                      COUNT(DISTINCT CASE WHEN c.kind = 'regular' THEN c.person_id END),
                      SUM({EMPLOYER}), SUM({PERSONAL}), 0, SUM({EMPLOYER} + {PERSONAL}), 0,
                      %(due)s, %(now)s
               FROM contributions_contribution c
               WHERE c.unit_id BETWEEN %(lo)s AND %(hi)s AND c.bill_month = %(m)s
               GROUP BY c.unit_id
               ON CONFLICT (unit_id, month) DO UPDATE SET
                 persons = excluded.persons, employer = excluded.employer,
                 personal = excluded.personal, total = excluded.total,
                 settled_at = excluded.settled_at
               WHERE contributions_unitmonth.status = 'open'""",
            params,
        )
        cur.execute(BILLS_ZERO_SQL, params)
        # Late fees: a bill for a unit charged in this month without contributions in
        # it, then the late fee and total of the open bills with charges (or a late fee
        # to clear). The statements above left every other open bill's total at
        # employer + personal with late_fee 0, so one probe each finds them unchanged.
        cur.execute(
            """INSERT INTO contributions_unitmonth
                 (unit_id, month, status, persons, employer, personal, late_fee, total, paid,
                  due_date, settled_at)
               SELECT f.unit_id, %(m)s, 'open', 0, 0, 0, 0, 0, 0, %(due)s, %(now)s
               FROM contributions_latefeecharge f
               WHERE f.unit_id BETWEEN %(lo)s AND %(hi)s AND f.bill_month = %(m)s
                 AND NOT EXISTS (SELECT 1 FROM contributions_unitmonth um
                   WHERE um.unit_id = f.unit_id AND um.month = %(m)s)
               GROUP BY f.unit_id""",
            params,
        )
        cur.execute(
            f"""UPDATE contributions_unitmonth SET late_fee = {_CHARGES},
                 total = employer + personal + {_CHARGES}, settled_at = %(now)s
               WHERE month = %(m)s AND status = 'open' AND unit_id BETWEEN %(lo)s AND %(hi)s
                 AND (late_fee <> 0 OR EXISTS (SELECT 1 FROM contributions_latefeecharge f
                   WHERE f.unit_id = contributions_unitmonth.unit_id
                     AND f.bill_month = %(m)s))""",
            params,
        )


def _open_persons(m: int) -> int:
    """Persons enrolled in month m (per unit: one row each) in units whose month is not
    closed (one scan).

    The closed units are listed once by an uncorrelated NOT IN (unit_id is NOT NULL on
    both sides, so it means exactly NOT EXISTS) rather than probed per enrolment row:
    SQLite city 2.0 s -> 0.5 s, the cost of the bare scan."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT COUNT(*) FROM (SELECT DISTINCT e.unit_id, e.person_id
                FROM registry_enrolment e
                WHERE e.first_month <= %(m)s
                  AND (e.last_month IS NULL OR e.last_month >= %(m)s)
                  AND e.unit_id NOT IN (SELECT um.unit_id FROM contributions_unitmonth um
                    WHERE um.month = %(m)s AND um.status = 'closed')) x""",
            {"m": m},
        )
        return int(cur.fetchone()[0])


def _diagnose(policy: Policy, result: SettlementResult) -> None:
    m, year = int(policy.month), policy.year_label
    with connection.cursor() as cur:
        cur.execute(
            """SELECT COUNT(DISTINCT e.person_id) FROM registry_enrolment e
               WHERE e.first_month <= %(m)s AND (e.last_month IS NULL OR e.last_month >= %(m)s)
                 AND NOT EXISTS (SELECT 1 FROM registry_wagebase w
                   WHERE w.person_id = e.person_id AND w.unit_id = e.unit_id
                     AND w.policy_year = %(year)s)""",
            {"m": m, "year": year},
        )
        result.missing_wage = cur.fetchone()[0]


def settlement_run(month: Month, *, bill_month: Month | None = None, batch_size: int = 2000,
                   progress: Progress | None = None, actor: Actor = SYSTEM) -> SettlementResult:
    """Settle `month` for every unit. Units whose month is closed get difference rows
    billed in `bill_month` (default: the current month). Safe to re-run."""
    policy = policy_at(month)
    bill = bill_month or Month.of(timezone.localdate())
    if bill < month:
        raise SettlementError(f"补差核定月份 {bill} 不能早于费款所属期 {month}")
    result = SettlementResult(month=month)
    m = int(month)
    run = run_start(month, bill, actor=actor)
    with transaction.atomic():
        rate_terms_store(policy, result.refused_units)
        result.defaults_created = wage_defaults_fill(policy)
        result.missing_injury_rate = injury_class_issues_refresh(m)
        unit_terms_store(m)
    rural = hukou_matters(m)
    ids = unit_terms_units(m)
    # closed units in id order: a batch counts its own by two bisections, not by a scan
    # of every closed unit (a re-settled closed month has every unit closed)
    closed = list(UnitTerm.objects.filter(month=m, closed=True).order_by("unit_id")
                  .values_list("unit_id", flat=True))
    done = 0
    for lo, hi, count in _batches(ids, batch_size):
        params: Params = {"m": m, "year": policy.year_label, "lo": lo, "hi": hi,
                          "bill": int(bill)}
        closed_here = bisect_right(closed, hi) - bisect_left(closed, lo)
        with transaction.atomic():
            rows, differences = settle_batch(
                params, hukou_matters=rural, open_units=closed_here < count,
                differences=bill > month and closed_here > 0)
            bills_refresh(month, lo, hi)
            if differences:
                bills_refresh(bill, lo, hi)
            run_progress(run, done=done + count, total=len(ids))
        if done == 0:
            _statistics_refresh()  # the month's rows were just replaced: plan with them
        fault_point("settlement_batch")
        result.rows += rows
        result.difference_rows += differences
        done += count
        if progress:
            progress(done, len(ids))
    result.units = len(ids)
    result.closed_units = UnitMonth.objects.filter(month=m, status=MonthStatus.CLOSED).count()
    UnitTerm.objects.filter(month=m).delete()
    if result.rows < _open_persons(m):
        _diagnose(policy, result)  # someone could not be settled: say who is missing what
    _statistics_refresh()
    with transaction.atomic():
        run_finish(run, total=len(ids))
        applied = _unallocated_apply()
        event_record(actor=actor, action="settlement_run", object_type="month",
                     object_ref=str(month),
                     after={"units": result.units, "rows": result.rows,
                            "difference_rows": result.difference_rows,
                            "bill_month": str(bill),
                            "defaults_created": result.defaults_created,
                            "missing_injury_rate": result.missing_injury_rate,
                            "attempt": run.attempts, "unallocated_applied": applied})
        fault_point("settlement_run_finish")
    return result


def _statistics_refresh() -> None:
    """PostgreSQL: fresh statistics of the tables a batch rewrote, so that what follows
    (the next batches, the month's pages) is planned with the month's rows in them.
    Taken after the first batch and at the end of a run, not per batch (ANALYZE reads a
    sample of 30,000 rows of a table whatever its size, at the default target)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE contributions_contribution")
            cur.execute("ANALYZE contributions_unitmonth")


def _unallocated_apply() -> int:
    """Money left unallocated (paid ahead, or while the run's bills were provisional)
    goes to the bills now final: payments are applied when later bills are settled."""
    from .payments import unallocated_apply  # payments build on bills_refresh, below

    return sum(unallocated_apply(unit) for unit in
               Unit.objects.filter(payments__unallocated__gt=0).distinct().order_by("id"))


__all__ = ["ContributionKind", "SettlementError", "SettlementResult", "month_close",
           "settlement_run"]
