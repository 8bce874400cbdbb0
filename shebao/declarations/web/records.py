"""The unit's declaration pages (表样下载, 申报记录, 回执) and the public 回执验证.

Blank forms are public: they hold no data, and units prepare their files before they
log in (or before they have opened online declaration at all). Everything else of a
unit is fetched through the scoped selectors with the unit of the session.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from shebao.accounts.principal import client_ip
from shebao.accounts.ratelimit import public_check_hit
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.lib.downloads import attachment
from shebao.lib.spreadsheets import XLSX_CONTENT_TYPE

from ..batchfiles import KINDS, blank_form_csv, blank_form_xlsx
from ..batchfiles.readers import MAX_BYTES, MAX_ROWS
from ..batchfiles.rules import BACKPAY_EARLIEST, MONTHS_AHEAD
from ..presenters import evidence_context, receipt_context, receipt_pdf
from ..selectors import (
    declaration_by_code,
    declaration_for_unit,
    line_counts,
    unit_declarations,
    unit_drafts,
)
from ..services import DRAFT_TTL
from ..signing import signature_holds, signer_subject
from .forms import ListFilterForm, VerifyForm

DECLARATIONS_PER_PAGE = 20
DRAFTS_SHOWN = 50
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}


@require_GET
def forms_index(request: HttpRequest) -> HttpResponse:
    return render(request, "declarations/forms.html", {
        "kinds": list(KINDS.values()), "cutoff": settings.DECLARATION_CUTOFF_DAY,
        "max_rows": f"{MAX_ROWS:,}", "max_mb": MAX_BYTES // 1048576, "months_ahead": MONTHS_AHEAD,
        "backpay_earliest": BACKPAY_EARLIEST})


@require_GET
def form_download(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    spec = KINDS.get(kind)
    if spec is None or fmt not in CONTENT_TYPES:
        raise Http404
    body = blank_form_xlsx(kind) if fmt == "xlsx" else blank_form_csv(kind)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = attachment(f"{spec.label}表样.{fmt}",
                                                 f"{spec.code}-form.{fmt}")
    return response


@require_GET
@unit_session_required()
def declaration_list(request: HttpRequest, session: UnitSession) -> HttpResponse:
    form = ListFilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    page = Paginator(unit_declarations(session.unit, **filters),
                     DECLARATIONS_PER_PAGE).get_page(request.GET.get("page"))
    declarations = list(page.object_list)
    counts = line_counts(declarations)
    rows = [(d, counts.get(d.pk, 0)) for d in declarations]
    drafts = list(unit_drafts(session.unit)[:DRAFTS_SHOWN + 1])
    return render(request, "declarations/list.html", {
        "unit": session.unit, "page": page, "rows": rows, "form": form,
        "filtered": bool(filters), "draft_days": DRAFT_TTL.days,
        "drafts": [(d, d.created_at + DRAFT_TTL) for d in drafts[:DRAFTS_SHOWN]],
        "drafts_more": len(drafts) > DRAFTS_SHOWN})


@require_GET
@unit_session_required()
def declaration_detail(request: HttpRequest, session: UnitSession,
                       receipt_no: str) -> HttpResponse:
    declaration = declaration_for_unit(session.unit, receipt_no)
    context = receipt_context(declaration, request.GET.get("page"))
    context.update(evidence_context(declaration))
    return render(request, "declarations/detail.html", context)


@require_GET
@unit_session_required()
def declaration_receipt_pdf(request: HttpRequest, session: UnitSession,
                            receipt_no: str) -> HttpResponse:
    """The receipt (回执) as a PDF with an embedded CJK font."""
    declaration = declaration_for_unit(session.unit, receipt_no)
    response = HttpResponse(receipt_pdf(declaration), content_type="application/pdf")
    response["Content-Disposition"] = attachment(f"回执{receipt_no}.pdf",
                                                 f"receipt-{receipt_no}.pdf")
    return response


@require_http_methods(["GET", "POST"])
def receipt_verify(request: HttpRequest) -> HttpResponse:
    """回执验证 (public): what a verification code stands for, without personal data.

    Codes are posted, not put in the URL (no history, logs or Referer), and every
    lookup counts against the client address's limit."""
    if request.method == "GET":
        return render(request, "declarations/verify.html", {"form": VerifyForm()})
    if not public_check_hit(client_ip(request)):
        return render(request, "declarations/verify.html", {
            "form": VerifyForm(), "error": "查询过于频繁，请十分钟后再试"}, status=429)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return render(request, "declarations/verify.html", {"form": form}, status=400)
    declaration = declaration_by_code(form.cleaned_data["code"])
    context: dict[str, object] = {"form": VerifyForm(), "searched": True,
                                  "declaration": declaration}
    if declaration is not None:
        context.update(line_count=declaration.lines.count(),
                       signer=signer_subject(declaration),
                       signature_ok=signature_holds(declaration))
    return render(request, "declarations/verify.html", context)
