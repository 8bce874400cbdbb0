"""The shape every query has, whatever shows it: columns, and a listing of rows.

A query's selector returns a `Listing`: rows as plain dicts of raw values (fen as
integers, months as `Month`, text), read a page at a time (`listing[a:b]`, which
Django's Paginator uses) or all of it in chunks (`iterate`, for the exports), each
chunk built with a fixed number of queries whatever its length. `Column`s say how a raw
value reads on a page or in print (`shown`), in a workbook (`cell`) and in JSON
(`plain`): one spec per query serves the page, the .xlsx, the PDF, the API and the
command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from shebao.lib.money import fen_to_yuan, format_fen, format_fen_grouped
from shebao.lib.periods import Month

Row = dict[str, Any]
# Builds the rows of one chunk of objects with a fixed number of queries.
Build = Callable[[list[Any]], list[Row]]

CHUNK = 1000


@dataclass(frozen=True)
class Column:
    """One column. kind: "text", "money" (fen), "count", "month" (Month or YYYYMM)."""

    key: str
    label: str
    kind: str = "text"
    width: float = 12

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "count")

    def shown(self, value: Any) -> str:
        """For pages and print; a missing value reads as the text the row gave, or "—"."""
        if value is None or value == "":
            return "—"
        if isinstance(value, str):
            return value
        if self.kind == "money":
            return format_fen_grouped(int(value))
        if self.kind == "month":
            return str(_month(value))
        return str(value)

    def cell(self, value: Any) -> Any:
        """For a workbook: amounts as exact yuan numbers, months as text."""
        if value is None or isinstance(value, str):
            return value or ""
        if self.kind == "money":
            return fen_to_yuan(int(value))
        if self.kind == "month":
            return str(_month(value))
        return value

    def plain(self, value: Any) -> Any:
        """For JSON and CSV: amounts as yuan strings with two decimals, months YYYY-MM."""
        if value is None or isinstance(value, str):
            return value if value is not None else ""
        if self.kind == "money":
            return format_fen(int(value))
        if self.kind == "month":
            return str(_month(value))
        return value


def _month(value: Any) -> Month:
    return value if isinstance(value, Month) else Month.from_int(int(value))


class Listing:
    """A query's rows: `queryset` (already scoped, filtered and ordered) turned into rows
    by `build`, then `extra` rows (few, already built) after them; `totals` a row of
    sums over all of them (or None), `summary` one Chinese sentence about them."""

    def __init__(self, queryset: QuerySet[Any], build: Build, *,
                 extra: Sequence[Row] = (), totals: Callable[[], Row | None] | None = None,
                 summary: Callable[[int], str] | None = None) -> None:
        self.queryset = queryset
        self.build = build
        self.extra = list(extra)
        self._totals = totals
        self._summary = summary
        self._stored: int | None = None

    def stored(self) -> int:
        """How many rows the queryset gives (one COUNT, asked once)."""
        if self._stored is None:
            self._stored = self.queryset.count()
        return self._stored

    def count(self) -> int:
        return self.stored() + len(self.extra)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Row]:
        if not isinstance(index, slice):
            raise TypeError("a listing is read a page at a time")
        start, stop = index.start or 0, index.stop
        if not self.extra:
            return self.build(list(self.queryset[start:stop]))
        stored = self.stored()
        rows = self.build(list(self.queryset[start:min(stop, stored)])) if start < stored else []
        return rows + self.extra[max(start - stored, 0):max(stop - stored, 0)]

    def iterate(self, chunk: int = CHUNK) -> Iterator[Row]:
        """Every row, built a chunk at a time: memory stays that of one chunk."""
        batch: list[Model] = []
        for obj in self.queryset.iterator(chunk_size=chunk):
            batch.append(obj)
            if len(batch) == chunk:
                yield from self.build(batch)
                batch = []
        if batch:
            yield from self.build(batch)
        yield from self.extra

    def totals(self) -> Row | None:
        return self._totals() if self._totals else None

    def summary(self) -> str:
        count = self.count()
        return self._summary(count) if self._summary else f"共 {count:,} 条"


@dataclass(frozen=True)
class Query:
    """A unit query: its columns and the selector giving its rows. `select` takes the
    unit first: every selector starts its querysets from that unit, and callers (pages,
    API, command) pass only the unit of the session, the token or `--unit`."""

    kind: str  # the code in URLs, the API and `shebao report KIND`
    title: str
    columns: tuple[Column, ...]
    select: Callable[[Any, Any], Listing]  # (Unit, Filters) -> Listing
    filters: tuple[str, ...]
    empty: Callable[[Any], str]  # (Filters) -> why there is no row, in Chinese
    note: str = ""  # under the title: what the query shows and how
    wide: bool = False  # printed landscape
