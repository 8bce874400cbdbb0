"""Test helpers of the contribution rows: the wide rows read long (a line per
insurance), as the former rows per insurance were, so tests state amounts per
person, insurance and party."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from shebao.contributions.models import Contribution

LONG = ("insurance", "base", "employer", "personal")


def long_values(rows: QuerySet[Contribution], *fields: str) -> list[tuple[Any, ...]]:
    """One tuple per insurance a row holds: the named fields, any of the row's own
    (person_id, month, bill_month, kind …) or of its line (insurance, base, employer,
    personal)."""
    out = []
    for row in rows:
        for line in row.lines():
            values = dict(zip(LONG, line, strict=True))
            out.append(tuple(values[f] if f in values else getattr(row, f) for f in fields))
    return out


def long_count(rows: QuerySet[Contribution]) -> int:
    """How many lines (person × insurance × month) the rows hold."""
    return sum(len(row.lines()) for row in rows)
