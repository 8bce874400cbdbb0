"""Loading the shipped policy file into the PolicyRow table.

The project reads only its own copy (policy/data/), never ../shared at run time.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from shebao.lib.periods import Month

DATA_DIR = Path(__file__).resolve().parent / "data"
POLICY_CSV = DATA_DIR / "beijing_policy.csv"

IDENTITY = ("key", "insurance", "party", "variant", "first_month")


def read_policy_csv(path: Path = POLICY_CSV) -> list[dict[str, Any]]:
    """The shipped rows as dicts ready for PolicyRow (months as YYYYMM integers)."""
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            rows.append(
                {
                    "key": raw["key"].strip(),
                    "insurance": raw["insurance"].strip(),
                    "party": raw["party"].strip(),
                    "variant": raw["variant"].strip(),
                    "value": raw["value"].strip(),
                    "unit": raw["unit"].strip(),
                    "first_month": int(Month.parse(raw["from"])),
                    "last_month": int(Month.parse(raw["to"])) if raw["to"].strip() else None,
                    "confidence": raw["confidence"].strip(),
                    "source": raw["source"].strip(),
                    "note": raw["note"].strip(),
                }
            )
    return rows


def load_shipped(model: Any, path: Path = POLICY_CSV) -> tuple[int, int]:
    """Insert or update the shipped rows (by identity); staff rows are left alone.

    Works with the real model and with a migration's historical model. Returns
    (created, updated).
    """
    created = updated = 0
    existing = {
        tuple(getattr(r, f) for f in IDENTITY): r
        for r in model.objects.filter(origin="shipped")
    }
    to_create = []
    for row in read_policy_csv(path):
        ident = tuple(row[f] for f in IDENTITY)
        current = existing.get(ident)
        if current is None:
            to_create.append(model(origin="shipped", **row))
            created += 1
            continue
        changed = [f for f, v in row.items() if getattr(current, f) != v]
        if changed:
            for f in changed:
                setattr(current, f, row[f])
            current.save(update_fields=[*changed, "updated_at"])
            updated += 1
    model.objects.bulk_create(to_create, batch_size=500)
    if created or updated:
        # This process sees the new figures at once; others at their next version check.
        from .selectors import clear_cache

        clear_cache()
    return created, updated
