"""报盘文件上传: upload, every error listed (and the marked file), confirm, sign, submit.

POST /unit/declarations/upload/ hands the file to `uploads.upload_draft`, the sequence
the API's drafts share (the wage window, a file already submitted, validation against
the unit's registry as of today, the draft). A refused file is kept briefly (uploads.py)
so that the operator can download it back with every bad cell marked; nothing is
applied. A valid file becomes a draft, shown at /unit/declarations/uploads/<token>/ with
what submitting will do; the operator's
browser fetches the draft's canonical content (…/content/), signs it with the key of
the certificate it logged in with and posts the signature to …/submit/: the same
confirm step as every other draft (web/confirm.py).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shebao.accounts.principal import principal_of
from shebao.accounts.ratelimit import ratelimit_hit
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.lib.downloads import attachment
from shebao.lib.spreadsheets import XLSX_CONTENT_TYPE

from ..batchfiles import KINDS, errors_workbook
from ..batchfiles.readers import MAX_BYTES
from ..errors import DeclarationError, DuplicateFile
from ..models import BatchUpload, Declaration, Status
from ..uploads import (
    REQUEST_MARGIN,
    TOO_LARGE,
    SizeLimit,
    upload_accepted,
    upload_draft,
    upload_for,
    upload_refused,
    upload_result,
)
from .confirm import confirm_page, content_response, submit_response
from .forms import UploadForm

# Uploads per unit and window: enough for a day's corrections, not for a flood.
UPLOAD_RATE_LIMIT = 30
UPLOAD_RATE_WINDOW = 3600
ERRORS_PER_PAGE = 500


def _form_page(request: HttpRequest, form: UploadForm, status: int = 200,
               **extra: Any) -> HttpResponse:
    return render(request, "declarations/upload.html",
                  {"form": form, "kinds": KINDS, "max_mb": MAX_BYTES // 1048576, **extra},
                  status=status)


@csrf_exempt  # checked by _upload_post, after the size limit is in place
@require_http_methods(["GET", "POST"])
@unit_session_required()
def upload(request: HttpRequest, session: UnitSession) -> HttpResponse:
    if request.method == "GET":
        kind = request.GET.get("kind")
        return _form_page(request, UploadForm(initial={"kind": kind if kind in KINDS else ""}))
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES + REQUEST_MARGIN:  # refused before a byte of the body is read
        return _form_page(request, UploadForm(), status=413, error=TOO_LARGE)
    limit = SizeLimit(request, MAX_BYTES)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _upload_post(request, session, limit)


@csrf_protect
def _upload_post(request: HttpRequest, session: UnitSession, limit: SizeLimit) -> HttpResponse:
    unit = session.unit
    if not ratelimit_hit(f"batch-upload-unit:{unit.number}", limit=UPLOAD_RATE_LIMIT,
                         window_seconds=UPLOAD_RATE_WINDOW):
        return _form_page(request, UploadForm(), status=429,
                          error="上传过于频繁，请一小时后再试")
    files = request.FILES  # the body is parsed here (or by the CSRF check) under the limit
    if limit.exceeded:
        kind = request.POST.get("kind")
        return _form_page(request, UploadForm(initial={"kind": kind if kind in KINDS else ""}),
                          status=413, error=TOO_LARGE)
    form = UploadForm(request.POST, files)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    kind, file = form.cleaned_data["kind"], form.cleaned_data["file"]
    data, name = file.read(), file.name or "报盘文件"
    try:
        received = upload_draft(unit=unit, kind=kind, data=data, file_name=name,
                                actor=principal_of(request).actor(request),
                                today=timezone.localdate())
    except DuplicateFile as exc:
        return _form_page(request, UploadForm(initial={"kind": kind}), duplicate=exc.first)
    except DeclarationError as exc:  # e.g. 缴费工资 outside the yearly window
        return _form_page(request, UploadForm(initial={"kind": kind}), status=400,
                          error=str(exc))
    if received.draft is None:
        kept = upload_refused(unit=unit, data=data, file_name=name, result=received.result)
    else:
        kept = upload_accepted(unit=unit, file_name=name, result=received.result,
                               draft=received.draft)
    return redirect("declarations:upload_page", token=kept.token)


@require_GET
@unit_session_required()
def upload_page(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    kept = upload_for(session.unit, token)
    if kept.declaration is None:
        return _errors_page(request, kept)
    if kept.declaration.status != Status.DRAFT:
        return redirect("declarations:detail", receipt_no=kept.declaration.receipt_no)
    return _confirm_page(request, session, kept, kept.declaration)


def _errors_page(request: HttpRequest, kept: BatchUpload) -> HttpResponse:
    result = upload_result(kept)
    page = Paginator(result.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "declarations/upload_errors.html", {
        "upload": kept, "result": result, "page": page, "kind": KINDS[kept.kind],
        "form": UploadForm(initial={"kind": kept.kind}), "max_mb": MAX_BYTES // 1048576})


def _confirm_page(request: HttpRequest, session: UnitSession, kept: BatchUpload,
                  draft: Declaration) -> HttpResponse:
    return confirm_page(
        request, session, draft, upload=kept, result=upload_result(kept),
        content_url=reverse("declarations:upload_content", args=[kept.token]),
        submit_url=reverse("declarations:upload_submit", args=[kept.token]),
        discard_url=reverse("declarations:draft_discard", args=[draft.draft_token]))


@require_GET
@unit_session_required()
def upload_errors_file(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    """The refused file back as .xlsx, every bad cell marked (report.py)."""
    kept = upload_for(session.unit, token)
    if kept.declaration is not None:
        raise Http404
    body = errors_workbook(bytes(kept.data), kept.file_name, upload_result(kept))
    stem = kept.file_name.rsplit(".", 1)[0] or "报盘文件"
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment(f"{stem}-错误标注.xlsx", "errors.xlsx")
    response["Cache-Control"] = "no-store"
    return response


def _draft(session: UnitSession, token: str) -> Declaration:
    kept = upload_for(session.unit, token)
    if kept.declaration is None:
        raise Http404
    return kept.declaration


@never_cache
@require_GET
@unit_session_required()
def upload_content(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    """The exact text the operator signs (UTF-8, no newline added)."""
    return content_response(_draft(session, token))


@require_POST
@unit_session_required(json=True)
def upload_submit(request: HttpRequest, session: UnitSession, token: str) -> JsonResponse:
    """Verify the signature over the draft's canonical content and submit it."""
    return submit_response(request, session, _draft(session, token))
