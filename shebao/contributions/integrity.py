"""Referential integrity of the fact tables that carry no database foreign keys.

Contribution rows and pension credits are derived from enrolments, wage bases and paid
bills, which keep their foreign keys; the derived rows do without (decision 0012): at
Beijing's volume the checks at commit were half of a PostgreSQL settlement. This is
the check instead, run by `shebao orphans` (e.g. after a restore or a bulk import) and
by the tests: a row whose unit or person is not in the registry is an orphan.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# (table, column, referenced table): every reference a derived row carries.
REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("contributions_contribution", "unit_id", "registry_unit"),
    ("contributions_contribution", "person_id", "registry_person"),
    ("pension_accountcredit", "person_id", "registry_person"),
    ("pension_accountcredit", "unit_id", "registry_unit"),
)
SAMPLE = 5


@dataclass(frozen=True)
class Orphans:
    """Rows of `table` whose `column` names no row of `target`."""

    table: str
    column: str
    target: str
    rows: int
    missing_ids: tuple[int, ...]  # the first few ids referred to and missing


def orphans_find() -> list[Orphans]:
    """Every reference with orphan rows (an empty list when all is well): one scan of
    each derived table, probing the referenced primary key."""
    found = []
    with connection.cursor() as cur:
        for table, column, target in REFERENCES:
            cur.execute(
                f"""SELECT x.{column}, COUNT(*) FROM {table} x
                    WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE t.id = x.{column})
                    GROUP BY x.{column} ORDER BY x.{column}""")
            missing = cur.fetchall()
            if missing:
                found.append(Orphans(table, column, target, sum(n for _, n in missing),
                                     tuple(ref for ref, _ in missing[:SAMPLE])))
    return found
