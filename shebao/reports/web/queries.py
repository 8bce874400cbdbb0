"""One view serves every query's page, one its .xlsx and PDF: the query comes from the
catalogue (`queries.QUERIES`), the unit from the session, the filters from the query
string through the one filter form. Exports are built from the same listing as the page.
"""

from __future__ import annotations

import tempfile
from typing import Any, cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.lib.downloads import attachment
from shebao.lib.spreadsheets import XLSX_CONTENT_TYPE

from ..filters import FilterError, FilterForm
from ..output import page_of, pdf_bytes, totals_shown, write_xlsx
from ..queries import QUERIES, query_get
from ..queries.people import person_spells
from ..scope import unit_person
from ..tables import Query


def _form(request: HttpRequest, query: Query) -> FilterForm:
    return FilterForm(query.filters, request.GET)


def _cells(query: Query, row: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(c.shown(row.get(c.key)), c.numeric) for c in query.columns]


@require_GET
@unit_session_required()
def query_page(request: HttpRequest, session: UnitSession, kind: str) -> HttpResponse:
    query = query_get(kind)
    form = _form(request, query)
    context: dict[str, Any] = {"query": query, "form": form, "unit": session.unit,
                               "queries": QUERIES.values()}
    try:
        filters = form.filters()
    except FilterError:
        return render(request, "reports/query.html", context, status=400)
    listing = query.select(session.unit, filters)
    page = page_of(listing, request.GET.get("page"))
    totals = totals_shown(query, listing.totals()) if page.object_list else None
    context.update(
        page=page, rows=[(row.get("_ref"), _cells(query, row)) for row in page.object_list],
        totals=[(text, c.numeric) for text, c in zip(totals, query.columns, strict=True)]
        if totals else None,
        summary=listing.summary(), empty=query.empty(filters),
        export_query=request.GET.urlencode() if request.GET else "")
    return render(request, "reports/query.html", context)


@require_GET
@unit_session_required()
def query_export(request: HttpRequest, session: UnitSession, kind: str,
                 fmt: str) -> HttpResponse:
    """The whole query (every page) as .xlsx (streamed from a temporary file) or PDF."""
    query = query_get(kind)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    form = _form(request, query)
    try:
        filters = form.filters()
    except FilterError:
        return render(request, "reports/query.html", {
            "query": query, "form": form, "unit": session.unit,
            "queries": QUERIES.values()}, status=400)
    listing = query.select(session.unit, filters)
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M")
    names = (f"{query.title}{stamp}.{fmt}", f"{query.kind}-{stamp}.{fmt}")
    if fmt == "pdf":
        response = HttpResponse(pdf_bytes(query, session.unit, filters, listing, now),
                                content_type="application/pdf")
    else:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it
        write_xlsx(query, session.unit, filters, listing, spool, now)
        spool.seek(0)
        # Streamed from the file (the guards are typed for HttpResponse; it acts as one).
        response = cast(HttpResponse, FileResponse(spool, content_type=XLSX_CONTENT_TYPE))
    response["Content-Disposition"] = attachment(*names)
    return response


@require_GET
@unit_session_required()
def person_page(request: HttpRequest, session: UnitSession, ref: str) -> HttpResponse:
    """One of the unit's people: identity and every enrolment at this unit."""
    person = unit_person(session.unit, ref)
    return render(request, "reports/person.html", {
        "unit": session.unit, "person": person,
        "spells": person_spells(session.unit, person)})
