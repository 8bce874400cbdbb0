"""Monthly settlement (核定): every unit's contributions for a month, set-based.

One INSERT … SELECT per batch of units computes every enrolled person's base and amounts
per insurance from their wage of the policy year and the exact multipliers that
`calculator.rate_terms` prepared (stored in RateTerm), so the SQL and the calculator
cannot disagree. Open months are re-settled by replacing their regular rows (identical
on re-run); closed months never change: a re-settlement of a closed month writes
difference rows (补差) billed in an open month. Each run is recorded (`runs.py`): its bills
are final only once it has finished (decision 0012).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.faults import fault_point
from shebao.lib.periods import Month
from shebao.policy.selectors import Policy, policy_at
from shebao.registry.choices import EnterpriseSize
from shebao.registry.models import Unit, UnitInjuryRate
from shebao.registry.services import wage_bases_default

from .calculator import NO_INJURY_CLASS, SCALE, CalculationError, UnitTerms, rate_terms
from .issues import injury_class_issues_refresh
from .models import Kind, MonthStatus, RateTerm, UnitMonth, UnitTerm
from .runs import SettlementError, month_close, run_finish, run_progress, run_start

HALF = SCALE // 2
Progress = Callable[[int, int], None]
Params = dict[str, Any]


@dataclass
class SettlementResult:
    month: Month
    units: int = 0
    closed_units: int = 0
    rows: int = 0
    difference_rows: int = 0
    defaults_created: int = 0
    missing_wage: int = 0
    missing_injury_rate: int = 0  # units billed without work injury (SettlementIssue)
    refused_units: list[str] = field(default_factory=list)


def due_date_of(month: Month) -> dt.date:
    """The due date of a month's contributions: last day of the following month [decision]."""
    return month.add(1).last_day()


# Enrolments of month %(m)s with their clamped base per insurance. The subquery keeps the
# clamp in one place; the outer query applies the multipliers with half-up rounding.
def should_rows_sql(*, hukou_matters: bool) -> str:
    """Enrolments of month %(m)s with their clamped base per insurance and amounts.

    The person's hukou is read only when the month's rates differ by it (rural workers'
    unemployment premium until 2021-06): otherwise the person lookup, the costliest probe
    of the whole statement, is left out.
    """
    if hukou_matters:
        personal = ("CASE WHEN p.hukou = 'rural' THEN t.personal_num_rural "
                    "ELSE t.personal_num END")
        person_join = "JOIN registry_person p ON p.id = e.person_id"
    else:
        personal, person_join = "t.personal_num", ""
    return f"""
SELECT s.unit_id, s.person_id, s.insurance, s.base,
       (s.base * s.employer_num + {HALF}) / {SCALE} AS employer,
       (s.base * s.personal_num + {HALF}) / {SCALE} + s.personal_fixed AS personal
FROM (
  SELECT e.unit_id, e.person_id, e.insurance, t.employer_num, t.personal_fixed,
         {personal} AS personal_num,
         CASE WHEN w.wage < t.lower THEN t.lower
              WHEN w.wage > t.upper THEN t.upper
              ELSE w.wage END AS base
  FROM contributions_unitterm t
  JOIN registry_enrolment e ON e.unit_id = t.unit_id AND e.insurance = t.insurance
  JOIN registry_wagebase w ON w.person_id = e.person_id AND w.unit_id = e.unit_id
       AND w.policy_year = %(year)s
  {person_join}
  WHERE t.month = %(m)s AND t.unit_id BETWEEN %(lo)s AND %(hi)s
    AND e.first_month <= %(m)s AND (e.last_month IS NULL OR e.last_month >= %(m)s)
) s
"""


# Each unit's multipliers for the month: its work-injury class and factor of that
# month and its size select the RateTerm rows (which the calculator wrote), the urban
# and the rural personal rate side by side. A unit with no class for the month (a
# registry error) takes the rows of NO_INJURY_CLASS: every insurance but work injury,
# so the error never drops its pension or medical (the month is flagged, below).
_UNIT_TERMS = f"""
INSERT INTO contributions_unitterm (month, unit_id, insurance, lower, upper, employer_num,
                                    personal_num, personal_num_rural, personal_fixed)
SELECT %(m)s, u.id, t.insurance, t.lower, t.upper, t.employer_num, t.personal_num,
       tr.personal_num, t.personal_fixed
FROM registry_unit u
LEFT JOIN registry_unitinjuryrate r ON r.unit_id = u.id AND r.first_month <= %(m)s
     AND (r.last_month IS NULL OR r.last_month >= %(m)s)
JOIN contributions_rateterm t ON t.month = %(m)s
     AND t.injury_class = COALESCE(r.injury_class, {NO_INJURY_CLASS})
     AND t.floating_pct = COALESCE(r.floating_pct, 0) AND t.size = u.size AND t.rural = 0
JOIN contributions_rateterm tr ON tr.month = %(m)s AND tr.injury_class = t.injury_class
     AND tr.floating_pct = t.floating_pct AND tr.size = u.size AND tr.rural = 1
     AND tr.insurance = t.insurance
"""

_NOT_CLOSED = """NOT EXISTS (SELECT 1 FROM contributions_unitmonth um
  WHERE um.unit_id = {alias}.unit_id AND um.month = %(m)s AND um.status = 'closed')"""
_IS_CLOSED = _NOT_CLOSED.replace("NOT EXISTS", "EXISTS")


def rate_terms_store(policy: Policy, result: SettlementResult) -> None:
    """Write the multipliers of every (class, factor, size, hukou) combination in use."""
    m = int(policy.month)
    combos = set(
        UnitInjuryRate.objects.filter(first_month__lte=m)
        .exclude(last_month__lt=m)
        .values_list("injury_class", "floating_pct")
        .distinct()
    ) | {(NO_INJURY_CLASS, 0)}
    RateTerm.objects.filter(month=m).delete()
    rows = []
    for injury_class, floating_pct in sorted(combos):
        for size in EnterpriseSize.values:
            for rural in (0, 1):
                try:
                    terms = rate_terms(policy, rural=bool(rural),
                                       unit=UnitTerms(injury_class, floating_pct, size))
                except CalculationError as exc:
                    which = ("无工伤类别的单位" if injury_class == NO_INJURY_CLASS
                             else f"工伤类别{injury_class}/浮动{floating_pct}%")
                    result.refused_units.append(f"{which}：{exc}")
                    break
                rows += [
                    RateTerm(month=m, insurance=t.insurance, rural=rural,
                             injury_class=injury_class, floating_pct=floating_pct, size=size,
                             lower=t.lower, upper=t.upper, employer_num=t.employer_num,
                             personal_num=t.personal_num, personal_fixed=t.personal_fixed)
                    for t in terms
                ]
    RateTerm.objects.bulk_create(rows, batch_size=1000)
    result.refused_units = sorted(set(result.refused_units))


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


def _unit_ids(m: int) -> list[int]:
    with connection.cursor() as cur:
        cur.execute(
            """SELECT DISTINCT unit_id FROM registry_enrolment
               WHERE first_month <= %(m)s AND (last_month IS NULL OR last_month >= %(m)s)
               UNION SELECT unit_id FROM contributions_unitmonth WHERE month = %(m)s
               UNION SELECT unit_id FROM contributions_latefeecharge WHERE bill_month = %(m)s
               ORDER BY 1""",
            {"m": m},
        )
        return [r[0] for r in cur.fetchall()]


def _batches(ids: list[int], size: int) -> list[tuple[int, int, int]]:
    return [(ids[i], ids[min(i + size, len(ids)) - 1], min(size, len(ids) - i))
            for i in range(0, len(ids), size)]


def _settle_batch(params: Params, *, differences: bool, should: str) -> tuple[int, int]:
    """Replace the open units' regular rows; write difference rows for closed units
    (only when billed in a later month: a closed bill never takes new rows)."""
    with connection.cursor() as cur:
        cur.execute(
            f"""DELETE FROM contributions_contribution
                WHERE unit_id BETWEEN %(lo)s AND %(hi)s AND bill_month = %(m)s
                  AND month = %(m)s AND kind = 'regular'
                  AND {_NOT_CLOSED.format(alias='contributions_contribution')}""",
            params,
        )
        cur.execute(
            f"""INSERT INTO contributions_contribution
                  (unit_id, person_id, month, bill_month, insurance, kind, base, employer,
                   personal)
                SELECT s.unit_id, s.person_id, %(m)s, %(m)s, s.insurance, 'regular', s.base,
                       s.employer, s.personal
                FROM ({should}) s WHERE {_NOT_CLOSED.format(alias='s')}""",
            params,
        )
        rows = max(cur.rowcount, 0)
        if not differences:
            return rows, 0
        cur.execute(
            f"""INSERT INTO contributions_contribution
                  (unit_id, person_id, month, bill_month, insurance, kind, base, employer,
                   personal)
                SELECT d.unit_id, d.person_id, %(m)s, %(bill)s, d.insurance, 'difference',
                       SUM(d.base), SUM(d.employer), SUM(d.personal)
                FROM (
                  SELECT s.unit_id, s.person_id, s.insurance, s.base, s.employer, s.personal
                  FROM ({should}) s WHERE {_IS_CLOSED.format(alias='s')}
                  UNION ALL
                  SELECT c.unit_id, c.person_id, c.insurance, -c.base, -c.employer,
                         -c.personal
                  FROM contributions_contribution c
                  WHERE c.unit_id BETWEEN %(lo)s AND %(hi)s AND c.month = %(m)s
                    AND c.kind IN ('regular', 'difference')
                    AND {_IS_CLOSED.format(alias='c')}
                ) d
                GROUP BY d.unit_id, d.person_id, d.insurance
                HAVING SUM(d.base) <> 0 OR SUM(d.employer) <> 0 OR SUM(d.personal) <> 0""",
            params,
        )
        differences = max(cur.rowcount, 0)
    return rows, differences


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
            """INSERT INTO contributions_unitmonth
                 (unit_id, month, status, persons, employer, personal, late_fee, total, paid,
                  due_date, settled_at)
               SELECT c.unit_id, %(m)s, 'open',
                      COUNT(DISTINCT CASE WHEN c.kind = 'regular' THEN c.person_id END),
                      SUM(c.employer), SUM(c.personal), 0, SUM(c.employer + c.personal), 0,
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


def _hukou_matters(m: int) -> bool:
    """Whether any rate of month m differs between urban and rural hukou."""
    return UnitTerm.objects.filter(month=m).exclude(
        personal_num=F("personal_num_rural")).exists()


def _open_enrolments(m: int) -> int:
    """Enrolment rows of month m in units whose month is not closed (one scan).

    The closed units are listed once by an uncorrelated NOT IN (unit_id is NOT NULL on
    both sides, so it means exactly NOT EXISTS) rather than probed per enrolment row:
    SQLite city 2.0 s -> 0.5 s, the cost of the bare scan. Counting per batch was slower
    (4.5 s: row lookups through the unit index)."""
    with connection.cursor() as cur:
        cur.execute(
            """SELECT COUNT(*) FROM registry_enrolment e
                WHERE e.first_month <= %(m)s
                  AND (e.last_month IS NULL OR e.last_month >= %(m)s)
                  AND e.unit_id NOT IN (SELECT um.unit_id FROM contributions_unitmonth um
                    WHERE um.month = %(m)s AND um.status = 'closed')""",
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
        rate_terms_store(policy, result)
        result.defaults_created = wage_defaults_fill(policy)
        result.missing_injury_rate = injury_class_issues_refresh(m)
        UnitTerm.objects.filter(month=m).delete()
        with connection.cursor() as cur:
            cur.execute(_UNIT_TERMS, {"m": m})
            if connection.vendor == "postgresql":
                # fresh rows, no statistics yet: without them the planner picks nested
                # loops over the whole enrolment table (measured: 172 s instead of 62 s)
                cur.execute("ANALYZE contributions_unitterm")
    should = should_rows_sql(hukou_matters=_hukou_matters(m))
    ids = _unit_ids(m)
    done = 0
    for lo, hi, count in _batches(ids, batch_size):
        params: Params = {"m": m, "year": policy.year_label, "lo": lo, "hi": hi,
                          "bill": int(bill)}
        with transaction.atomic():
            rows, differences = _settle_batch(params, differences=bill > month, should=should)
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
    if result.rows < _open_enrolments(m):
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


__all__ = ["Kind", "SettlementError", "SettlementResult", "month_close", "settlement_run"]
