"""报盘文件上传: upload, every error listed (and the marked file), confirm, sign, submit.

POST /unit/declarations/upload/ validates the file against the unit's registry as of
today. A refused file is kept briefly (uploads.py) so that the operator can download it
back with every bad cell marked; nothing is applied. A valid file becomes a draft, shown
at /unit/declarations/uploads/<token>/ with what submitting will do; the operator's
browser fetches the draft's canonical content (…/content/), signs it with the key of
the certificate it logged in with (static/declarations/confirm.js) and posts the
signature to …/submit/, which verifies it (signing.py) and submits the declaration.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
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
from shebao.certauth.selectors import UnitSession
from shebao.lib.downloads import attachment

from .access import unit_session_required
from .batchfiles import KINDS, batchfile_validate, errors_workbook
from .batchfiles.readers import MAX_BYTES
from .forms import UploadForm
from .models import BatchUpload, Declaration, Status
from .presenters import line_headers, line_rows, what_happens
from .services import (
    DeclarationError,
    DuplicateFile,
    canonical_content,
    declaration_submit,
    effective_month,
)
from .signing import SigningRefused, signed_content_verify
from .uploads import (
    submitted_with_digest,
    upload_accepted,
    upload_for,
    upload_refused,
    upload_result,
)

# Uploads per unit and window: enough for a day's corrections, not for a flood.
UPLOAD_RATE_LIMIT = 30
UPLOAD_RATE_WINDOW = 3600
# A request body this much larger than the file limit is refused unread.
REQUEST_MARGIN = 1024 * 1024
ERRORS_PER_PAGE = 500
LINES_PER_PAGE = 100
TOO_LARGE = f"文件超过 {MAX_BYTES // 1048576} MB 的上限，请分成几个文件上传"


class _SizeLimit(FileUploadHandler):
    """Stops receiving a file once it passes MAX_BYTES: the rest is discarded unstored."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > MAX_BYTES:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


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
    limit = _SizeLimit(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _upload_post(request, session, limit)


@csrf_protect
def _upload_post(request: HttpRequest, session: UnitSession, limit: _SizeLimit) -> HttpResponse:
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
    first = submitted_with_digest(unit, kind, hashlib.sha256(data).hexdigest())
    if first is not None:
        return _form_page(request, UploadForm(initial={"kind": kind}), duplicate=first)
    result = batchfile_validate(data, name, kind=kind, unit=unit, as_of=timezone.localdate())
    if not result.ok:
        kept = upload_refused(unit=unit, data=data, file_name=name, result=result)
        return redirect("declarations:upload_page", token=kept.token)
    try:
        kept = upload_accepted(unit=unit, file_name=name, result=result,
                               actor=principal_of(request).actor(request))
    except DuplicateFile as exc:
        return _form_page(request, UploadForm(initial={"kind": kind}), duplicate=exc.first)
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
    today = timezone.localdate()
    cutoff = settings.DECLARATION_CUTOFF_DAY
    lines = list(draft.lines.order_by("line_no"))
    content = canonical_content(draft)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    effective = effective_month(today, cutoff)
    return render(request, "declarations/confirm.html", {
        "upload": kept, "draft": draft, "unit": session.unit, "kind": KINDS[kept.kind],
        "result": upload_result(kept), "effective": effective, "cutoff": cutoff,
        "today": today, "before_cutoff": today.day <= cutoff,
        "happens": what_happens(draft.kind, session.unit, lines, effective, today),
        "digest": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "headers": line_headers(draft.kind), "page": page,
        "rows": line_rows(draft.kind, page.object_list)})


@require_GET
@unit_session_required()
def upload_errors_file(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    """The refused file back as .xlsx, every bad cell marked (report.py)."""
    kept = upload_for(session.unit, token)
    if kept.declaration is not None:
        raise Http404
    body = errors_workbook(bytes(kept.data), kept.file_name, upload_result(kept))
    stem = kept.file_name.rsplit(".", 1)[0] or "报盘文件"
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument"
                                               ".spreadsheetml.sheet")
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
    draft = _draft(session, token)
    content = canonical_content(draft) if draft.status == Status.DRAFT else draft.content
    return HttpResponse(content.encode("utf-8"), content_type="text/plain; charset=utf-8")


def _refused(code: str, message: str, status: int = 400, **extra: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


@require_POST
@unit_session_required(json=True)
def upload_submit(request: HttpRequest, session: UnitSession, token: str) -> JsonResponse:
    """Verify the signature over the draft's canonical content and submit it."""
    draft = _draft(session, token)
    if draft.status != Status.DRAFT:
        return _refused("already_submitted", f"该申报已提交，回执号 {draft.receipt_no}", 409,
                        next=reverse("declarations:detail", args=[draft.receipt_no]))
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not (isinstance(body, dict) and isinstance(body.get("certificate"), str)
            and isinstance(body.get("signature"), str)):
        return _refused("bad_request", "请求内容不完整，请刷新页面后重新签名")
    content = canonical_content(draft)
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    if body.get("content_digest", digest) != digest:
        return _refused("content_changed", "申报内容已变化，请刷新页面后重新签名", 409)
    try:
        signed = signed_content_verify(
            unit=session.unit, session_fingerprint=principal_of(request).credential,
            certificate_pem=body["certificate"], signature=body["signature"], content=content)
    except SigningRefused as exc:
        return _refused(exc.code, exc.message, 403)
    try:
        submitted = declaration_submit(draft, signed=signed,
                                       actor=principal_of(request).actor(request),
                                       today=timezone.localdate(),
                                       cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    except DuplicateFile as exc:
        return _refused("duplicate_file", _duplicate_text(exc.first), 409,
                        next=reverse("declarations:detail", args=[exc.first.receipt_no]))
    except DeclarationError as exc:
        return _refused("refused", str(exc), 409)
    return JsonResponse({"receipt_no": submitted.receipt_no,
                         "next": reverse("declarations:detail", args=[submitted.receipt_no])})


def _duplicate_text(first: Declaration) -> str:
    when = timezone.localtime(first.submitted_at) if first.submitted_at else None
    at = f"已于 {when:%Y-%m-%d %H:%M} " if when else ""
    return f"该报盘文件{at}提交过，回执号 {first.receipt_no}，本次未重复办理"
