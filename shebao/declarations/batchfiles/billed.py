"""补缴 never charges a month twice (decision 0010): a month this unit was already billed
for a person (settled, 补差 or back-paid) is refused, naming the months.

The one rule, used by the batch file, the web form and the API (through
`registry_rules`), by the quote the unit and the reviewing staff read, and again by
submission and approval inside their transactions. Set-based: all periods asked about
are answered by `contributions.backpay.months_billed`, one query per 5,000 persons.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

from shebao.contributions.backpay import months_billed
from shebao.lib.periods import Month

K = TypeVar("K", bound=Hashable)
_LISTED = 5  # runs of months named before "等"


def months_text(months: Iterable[int]) -> str:
    """Months (YYYYMM) as runs: 2024年01月至2024年03月、2024年05月."""
    runs: list[list[Month]] = []
    for month in sorted(Month.from_int(m) for m in set(months)):
        if runs and runs[-1][-1].add(1) == month:
            runs[-1].append(month)
        else:
            runs.append([month])
    parts = [r[0].label if len(r) == 1 else f"{r[0].label}至{r[-1].label}" for r in runs]
    return "、".join(parts[:_LISTED]) + ("等" if len(parts) > _LISTED else "")


def billed_message(months: Iterable[int]) -> str:
    return (f"{months_text(months)} 已核定缴费，不能重复补缴：本单位已为该人员核定过该期间的"
            "缴费；如缴费工资有误需要补差，请联系经办机构")


def billed_months(unit_id: int,
                  periods: Sequence[tuple[K, int, Month, Month]]) -> dict[K, list[int]]:
    """For each (key, person id, first, last) asked about, the months of that period the
    unit was already billed for the person (sorted); keys with none are left out."""
    billed = months_billed(unit_id, [(p, first, last) for _, p, first, last in periods])
    found: dict[K, list[int]] = {}
    for key, person_id, first, last in periods:
        hit = sorted(m for m in billed.get(person_id, ()) if int(first) <= m <= int(last))
        if hit:
            found[key] = hit
    return found
