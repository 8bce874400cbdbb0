"""Loading the shipped policy file into the PolicyRow table.

The project reads only its own copy (policy/data/), never ../shared at run time. The
file's format is fixed (`COLUMNS`, data/README.md): a file with other columns is refused
whole, so a new column is never silently dropped.

`policy_load` makes the shipped rows equal to the file (insert, update, delete by
identity; staff rows are left alone) and says what changed, so that the months already
settled with the old figures can be re-settled (`shebao policy load` does both in one
transaction, with the contributions app's re-settlement).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from shebao.audit.services import Actor, event_record
from shebao.lib.periods import Month, PeriodError

from .models import PolicyRow

DATA_DIR = Path(__file__).resolve().parent / "data"
POLICY_CSV = DATA_DIR / "beijing_policy.csv"

COLUMNS = ("key", "insurance", "party", "variant", "value", "unit", "from", "to",
           "confidence", "source", "note", "document", "note_zh")
IDENTITY = ("key", "insurance", "party", "variant", "first_month")
# With the identity, what the engine computes with; the other fields are provenance.
FIGURE_FIELDS = ("value", "unit", "last_month")
# Keys monthly settlement reads: a change to one of them changes settled bills.
SETTLEMENT_KEYS = frozenset({"policy_year", "base_lower", "base_upper", "rate",
                             "personal_fixed", "relief_factor", "late_declaration_base"})

Period = tuple[int, int | None]  # first and last month (YYYYMM), None = open-ended


class PolicyFileError(ValueError):
    """The policy file cannot be read; the message is Chinese."""


def _month(text: str, path: Path, line: int) -> int:
    try:
        return int(Month.parse(text))
    except PeriodError as exc:
        raise PolicyFileError(f"政策参数文件 {path.name} 第 {line} 行：{exc}") from None


def read_policy_csv(path: Path = POLICY_CSV) -> list[dict[str, Any]]:
    """The shipped rows as dicts ready for PolicyRow (months as YYYYMM integers).

    The header must be exactly `COLUMNS`; each identity may occur once."""
    rows: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = tuple(next(reader, ()))
        if header != COLUMNS:
            raise PolicyFileError(f"政策参数文件 {path.name} 的表头应为“{','.join(COLUMNS)}”，"
                                  f"实际为“{','.join(header)}”")
        for line, values in enumerate(reader, start=2):
            if len(values) != len(COLUMNS):
                raise PolicyFileError(f"政策参数文件 {path.name} 第 {line} 行应有 "
                                      f"{len(COLUMNS)} 列，实际为 {len(values)} 列")
            raw = dict(zip(COLUMNS, (v.strip() for v in values), strict=True))
            row: dict[str, Any] = {name: raw[name] for name in (
                "key", "insurance", "party", "variant", "value", "unit", "confidence",
                "source", "note", "document", "note_zh")}
            row["first_month"] = _month(raw["from"], path, line)
            row["last_month"] = _month(raw["to"], path, line) if raw["to"] else None
            ident = tuple(row[f] for f in IDENTITY)
            if ident in seen:
                raise PolicyFileError(f"政策参数文件 {path.name} 第 {line} 行与前面的行重复："
                                      f"{' '.join(str(v) for v in ident)}")
            seen.add(ident)
            rows.append(row)
    return rows


@dataclass(frozen=True)
class FigureChange:
    """A shipped row whose figure changed: new (before None), removed (after None), or
    another value, unit or last month."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @property
    def row(self) -> dict[str, Any]:
        return self.after if self.after is not None else self.before  # type: ignore[return-value]

    def periods(self) -> list[Period]:
        return [(r["first_month"], r["last_month"]) for r in (self.before, self.after) if r]

    def as_json(self) -> dict[str, Any]:
        def figure(r: dict[str, Any] | None) -> dict[str, Any] | None:
            if r is None:
                return None
            last = r["last_month"]
            return {"value": r["value"], "unit": r["unit"],
                    "from": str(Month.from_int(r["first_month"])),
                    "to": str(Month.from_int(last)) if last else None}

        r = self.row
        return {"key": r["key"], "insurance": r["insurance"], "party": r["party"],
                "variant": r["variant"], "before": figure(self.before),
                "after": figure(self.after)}


@dataclass
class PolicyLoad:
    """What a load changed."""

    file: str
    first: bool = False  # the table held no shipped rows: nothing to compare with
    created: int = 0
    updated: int = 0
    removed: int = 0
    figures: list[FigureChange] = field(default_factory=list)
    text_fields: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def settlement_periods(self) -> list[Period]:
        """The periods whose settled bills may differ with the new figures."""
        return [p for c in self.figures if c.row["key"] in SETTLEMENT_KEYS
                for p in c.periods()]

    def audit(self) -> dict[str, Any]:
        counts = {"created": self.created, "updated": self.updated, "removed": self.removed}
        if self.first:
            return {**counts, "first": True}
        return {**counts, "figures": [c.as_json() for c in self.figures],
                "text_fields": sorted(self.text_fields)}


def _fields(obj: PolicyRow) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in (*IDENTITY, *FIGURE_FIELDS)}


def policy_file_load(path: Path = POLICY_CSV) -> PolicyLoad:
    """Make the shipped rows equal to the file, without an audit event (the test
    database's setup; everything else calls `policy_load`)."""
    result = PolicyLoad(file=path.name)
    rows = read_policy_csv(path)
    existing = {tuple(getattr(r, f) for f in IDENTITY): r
                for r in PolicyRow.objects.filter(origin="shipped")}
    result.first = not existing
    to_create = []
    for row in rows:
        current = existing.pop(tuple(row[f] for f in IDENTITY), None)
        if current is None:
            to_create.append(PolicyRow(origin="shipped", **row))
            result.figures.append(FigureChange(before=None, after=row))
            continue
        changed = [f for f, v in row.items() if getattr(current, f) != v]
        if not changed:
            continue
        if any(f in FIGURE_FIELDS for f in changed):
            result.figures.append(FigureChange(before=_fields(current), after=row))
        result.text_fields.update(f for f in changed if f not in FIGURE_FIELDS)
        for f in changed:
            setattr(current, f, row[f])
        current.save(update_fields=[*changed, "updated_at"])
        result.updated += 1
    PolicyRow.objects.bulk_create(to_create, batch_size=500)
    result.created = len(to_create)
    result.figures += [FigureChange(before=_fields(r), after=None) for r in existing.values()]
    result.removed = len(existing)
    PolicyRow.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    if result.changed:
        # This process sees the new figures at once; others at their next version check.
        from .selectors import clear_cache

        clear_cache()
    return result


def policy_load(*, actor: Actor, path: Path = POLICY_CSV) -> PolicyLoad:
    """Load the shipped file (`policy_file_load`) and record what changed."""
    with transaction.atomic():
        result = policy_file_load(path)
        if result.changed:
            event_record(actor=actor, action="policy_load", object_type="policy_file",
                         object_ref=result.file, after=result.audit())
    return result
