"""A query's rows as a page, a workbook, a printed PDF, CSV or JSON: one renderer each,
shared by the pages, the API and `shebao report`. Nothing here knows a query by name."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from shebao.lib.pdf import Table, report_pdf
from shebao.lib.spreadsheets import ColumnStyle, SheetSpec, xlsx_write_to
from shebao.registry.models import Unit

from .filters import Filters
from .tables import Listing, Query, Row

PER_PAGE = 50
TOTAL_LABEL = "合计"


def printed_at_text(now: dt.datetime | None = None) -> str:
    """The print time in Beijing time (the site's time zone)."""
    return timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M:%S")


def header(query: Query, unit: Unit, filters: Filters,
           now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """The lines above a printed or exported report: unit, conditions, dates."""
    return [("单位名称", unit.name), ("单位编号", unit.number), *filters.described(),
            ("查询日期", filters.today.isoformat()), ("打印时间", printed_at_text(now))]


def shown(query: Query, row: Row) -> list[str]:
    return [c.shown(row.get(c.key)) for c in query.columns]


def totals_shown(query: Query, totals: Row | None) -> list[str] | None:
    """The totals row for a page or print: "合计" in the first column, sums where the
    query gives them, blank elsewhere."""
    if totals is None:
        return None
    cells = [c.shown(totals[c.key]) if c.key in totals else "" for c in query.columns]
    cells[0] = TOTAL_LABEL
    return cells


def page_of(listing: Listing, number: Any) -> Page[Row]:
    return Paginator(listing, PER_PAGE).get_page(number)  # type: ignore[arg-type]


def write_xlsx(query: Query, unit: Unit, filters: Filters, listing: Listing,
               target: IO[bytes], now: dt.datetime | None = None) -> None:
    """The report as a workbook: the rows (headers first, totals last), read in chunks
    and streamed to `target`, and a second sheet with the conditions."""

    def rows() -> Iterator[list[Any]]:
        yield [c.label for c in query.columns]
        for row in listing.iterate():
            yield [c.cell(row.get(c.key)) for c in query.columns]
        totals = listing.totals()
        if totals is not None:
            cells = [c.cell(totals[c.key]) if c.key in totals else "" for c in query.columns]
            cells[0] = TOTAL_LABEL
            yield cells

    styles = [ColumnStyle(width=c.width, text=not c.numeric,
                          number_format="#,##0.00" if c.kind == "money" else None)
              for c in query.columns]
    conditions = [["查询", query.title], *[list(pair) for pair in header(query, unit, filters,
                                                                          now)]]
    xlsx_write_to([
        SheetSpec(query.title, rows(), styles, bold_first_row=True, freeze_first_row=True),
        SheetSpec("查询条件", conditions, [ColumnStyle(width=12), ColumnStyle(width=40)]),
    ], target)


def pdf_bytes(query: Query, unit: Unit, filters: Filters, listing: Listing,
              now: dt.datetime | None = None) -> bytes:
    """The report printed: A4 (landscape for wide queries), rows drawn as they are read,
    the totals row last, the empty-state reason when there is no row."""
    count = listing.count()

    def rows() -> Iterator[list[str]]:
        for row in listing.iterate():
            yield shown(query, row)
        totals = totals_shown(query, listing.totals())
        if totals is not None and count:
            yield totals

    note = listing.summary() if count else query.empty(filters)
    return report_pdf(query.title, header(query, unit, filters, now),
                      Table("", [c.label for c in query.columns], rows()),
                      wide=query.wide, note=note)


def plain_row(query: Query, row: Row) -> dict[str, Any]:
    return {c.key: c.plain(row.get(c.key)) for c in query.columns}


def plain_totals(query: Query, totals: Row | None) -> dict[str, Any] | None:
    if totals is None:
        return None
    return {c.key: c.plain(totals[c.key]) for c in query.columns if c.key in totals}


def json_document(query: Query, unit: Unit, filters: Filters,
                  listing: Listing) -> dict[str, Any]:
    """Every row: what `shebao report KIND --format json` prints."""
    return {"unit": unit.number, "kind": query.kind, "title": query.title,
            "filters": filters_plain(filters), "count": listing.count(),
            "rows": [plain_row(query, row) for row in listing.iterate()],
            "totals": plain_totals(query, listing.totals())}


def filters_plain(filters: Filters) -> dict[str, Any]:
    return {"person": filters.person, "status": filters.status, "year": filters.year,
            "as_of": filters.today.isoformat()}


def write_csv(query: Query, listing: Listing, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow([c.label for c in query.columns])
    for row in listing.iterate():
        writer.writerow([c.plain(row.get(c.key)) for c in query.columns])
    totals = plain_totals(query, listing.totals())
    if totals is not None:
        writer.writerow([TOTAL_LABEL if i == 0 else totals.get(c.key, "")
                         for i, c in enumerate(query.columns)])
