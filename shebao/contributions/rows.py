"""The contribution rows of a settlement batch, set-based: one wide row per enrolled
person and unit (decision 0012), from one ordered scan of the month's enrolments.

A batch of units lo..hi: the open units' regular rows are replaced (identical on
re-run); the closed units get difference rows (补差) billed in a later month, the
signed change of each insurance that changed since what was billed.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from .calculator import SCALE
from .columns import COLUMNS, PARTS, column
from .models import INSURANCES

HALF = SCALE // 2
Params = dict[str, Any]


def _base_sql(ins: str) -> str:
    """The clamped base of insurance `ins` where the person is enrolled in it and the
    unit has terms for it, else NULL."""
    lower, upper = f"t.{ins}_lower", f"t.{ins}_upper"
    return (f"CASE WHEN g.{ins} > 0 AND {lower} IS NOT NULL THEN "
            f"CASE WHEN w.wage < {lower} THEN {lower} WHEN w.wage > {upper} THEN {upper} "
            f"ELSE w.wage END END")


def should_rows_sql(*, hukou_matters: bool, closed: bool) -> str:
    """What units lo..hi whose month m is (not) `closed` should be billed for month m:
    a row per enrolled person with the base and amounts of each insurance.

    One scan of the month's enrolments in (unit, person) order (the covering index
    enrol_unit_person), grouped to a person's insurances; then one probe of the unit's
    terms (where its closedness was decided once) and one of the person's wage of the
    policy year (the covering index wage_unit_year_person). The person's hukou is read
    only when the month's rates differ by it (rural workers' unemployment premium until
    2021-06): otherwise that lookup, the costliest probe, is left out.
    """
    flags = ", ".join(f"MAX(CASE WHEN e.insurance = '{ins}' THEN 1 ELSE 0 END) AS {ins}"
                      for ins in INSURANCES)
    inner = []
    for ins in INSURANCES:
        personal = (f"CASE WHEN p.hukou = 'rural' THEN t.{ins}_personal_num_rural "
                    f"ELSE t.{ins}_personal_num END" if hukou_matters
                    else f"t.{ins}_personal_num")
        inner += [f"{_base_sql(ins)} AS {ins}_base", f"t.{ins}_employer_num AS {ins}_en",
                  f"{personal} AS {ins}_pn", f"t.{ins}_personal_fixed AS {ins}_pf"]
    outer = []
    for ins in INSURANCES:
        outer += [f"s.{ins}_base",
                  f"(s.{ins}_base * s.{ins}_en + {HALF}) / {SCALE} AS {ins}_employer",
                  f"(s.{ins}_base * s.{ins}_pn + {HALF}) / {SCALE} + s.{ins}_pf "
                  f"AS {ins}_personal"]
    person_join = "JOIN registry_person p ON p.id = g.person_id" if hukou_matters else ""
    any_base = " OR ".join(f"s.{ins}_base IS NOT NULL" for ins in INSURANCES)
    return f"""
SELECT s.unit_id, s.person_id, {", ".join(outer)}
FROM (
  SELECT g.unit_id, g.person_id, {", ".join(inner)}
  FROM (
    SELECT e.unit_id, e.person_id, {flags}
    FROM registry_enrolment e
    WHERE e.unit_id BETWEEN %(lo)s AND %(hi)s
      AND e.first_month <= %(m)s AND (e.last_month IS NULL OR e.last_month >= %(m)s)
    GROUP BY e.unit_id, e.person_id
  ) g
  JOIN contributions_unitterm t ON t.month = %(m)s AND t.unit_id = g.unit_id
       AND {"" if closed else "NOT "}t.closed
  JOIN registry_wagebase w ON w.unit_id = g.unit_id AND w.policy_year = %(year)s
       AND w.person_id = g.person_id
  {person_join}
) s
WHERE {any_base}
"""


_COLUMN_LIST = ", ".join(COLUMNS)


def _changed(ins: str) -> str:
    return " OR ".join(f"COALESCE(g.{column(ins, part)}, 0) <> 0" for part in PARTS)


def _difference_sql(should: str) -> str:
    """Difference rows of the closed units: what they should be billed less what their
    regular and difference rows billed, per insurance; an insurance that did not change
    stays NULL, a person with no change gets no row. A second difference of the same
    month billed in the same (open) bill month is added to the first row."""
    negated = ", ".join(f"-c.{col}" for col in COLUMNS)
    sums = ", ".join(f"SUM(d.{col}) AS {col}" for col in COLUMNS)
    values = ", ".join(f"CASE WHEN {_changed(ins)} THEN COALESCE(g.{column(ins, part)}, 0) END"
                       for ins in INSURANCES for part in PARTS)
    merge = ", ".join(
        f"{col} = CASE WHEN contributions_contribution.{col} IS NULL AND excluded.{col} IS NULL"
        f" THEN NULL ELSE COALESCE(contributions_contribution.{col}, 0)"
        f" + COALESCE(excluded.{col}, 0) END" for col in COLUMNS)
    return f"""
INSERT INTO contributions_contribution
  (unit_id, person_id, month, bill_month, kind, {_COLUMN_LIST})
SELECT g.unit_id, g.person_id, %(m)s, %(bill)s, 'difference', {values}
FROM (
  SELECT d.unit_id, d.person_id, {sums}
  FROM (
    SELECT s.unit_id, s.person_id, {", ".join(f"s.{col}" for col in COLUMNS)}
    FROM ({should}) s
    UNION ALL
    SELECT c.unit_id, c.person_id, {negated}
    FROM contributions_contribution c
    WHERE c.unit_id BETWEEN %(lo)s AND %(hi)s AND c.month = %(m)s
      AND c.kind IN ('regular', 'difference')
      AND c.unit_id IN (SELECT t.unit_id FROM contributions_unitterm t
                        WHERE t.month = %(m)s AND t.closed
                          AND t.unit_id BETWEEN %(lo)s AND %(hi)s)
  ) d
  GROUP BY d.unit_id, d.person_id
) g
WHERE {" OR ".join(f"({_changed(ins)})" for ins in INSURANCES)}
ON CONFLICT (unit_id, bill_month, kind, person_id, month) DO UPDATE SET {merge}
"""


def settle_batch(params: Params, *, hukou_matters: bool, open_units: bool,
                 differences: bool) -> tuple[int, int]:
    """Replace the open units' regular rows (when the batch has any open unit); write
    difference rows for closed units (`differences`: the batch has closed units and the
    rows are billed in a later month, since a closed bill never takes new rows).
    Returns the rows written of each kind."""
    rows = changed = 0
    with connection.cursor() as cur:
        if open_units:
            cur.execute(
                """DELETE FROM contributions_contribution
                   WHERE unit_id BETWEEN %(lo)s AND %(hi)s AND bill_month = %(m)s
                     AND kind = 'regular' AND month = %(m)s
                     AND unit_id NOT IN (SELECT um.unit_id FROM contributions_unitmonth um
                       WHERE um.month = %(m)s AND um.status = 'closed'
                         AND um.unit_id BETWEEN %(lo)s AND %(hi)s)""",
                params,
            )
            should = should_rows_sql(hukou_matters=hukou_matters, closed=False)
            cur.execute(
                f"""INSERT INTO contributions_contribution
                      (unit_id, person_id, month, bill_month, kind, {_COLUMN_LIST})
                    SELECT s.unit_id, s.person_id, %(m)s, %(m)s, 'regular', {_COLUMN_LIST}
                    FROM ({should}) s""",
                params,
            )
            rows = max(cur.rowcount, 0)
        if differences:
            cur.execute(_difference_sql(should_rows_sql(hukou_matters=hukou_matters,
                                                        closed=True)), params)
            changed = max(cur.rowcount, 0)
    return rows, changed
