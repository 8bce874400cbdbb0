"""The insurance columns of a contribution row (decision 0012): their names, the SQL
that sums or reads them, and the row's values from the calculator's lines.

A row holds, for each insurance, a base, an employer and a personal amount, all NULL
where the person is not enrolled in it; queries and exports read it long (one line per
insurance) where people read it that way (`Contribution.lines`).
"""

from __future__ import annotations

from collections.abc import Iterable

from .calculator import Line
from .models import INSURANCES

PARTS: tuple[str, ...] = ("base", "employer", "personal")


def column(insurance: str, part: str) -> str:
    return f"{insurance}_{part}"


# Every amount column, insurance by insurance (base, employer, personal each).
COLUMNS: tuple[str, ...] = tuple(column(ins, part) for ins in INSURANCES for part in PARTS)


def party_total_sql(alias: str, part: str) -> str:
    """SQL: the row's sum of one part over its insurances (NULL counts 0)."""
    return "(" + " + ".join(f"COALESCE({alias}.{column(ins, part)}, 0)"
                            for ins in INSURANCES) + ")"


def row_values(lines: Iterable[Line]) -> dict[str, int]:
    """The columns of a row holding the calculator's lines (the others stay NULL)."""
    values: dict[str, int] = {}
    for line in lines:
        values[column(line.insurance, "base")] = line.base
        values[column(line.insurance, "employer")] = line.employer
        values[column(line.insurance, "personal")] = line.personal
    return values
