"""The confirm step every declaration goes through, whatever made its draft (a batch
file, a web form, the API): what submitting will do, the lines, and the signature.

GET  /unit/declarations/drafts/<token>/           the confirm page
GET  /unit/declarations/drafts/<token>/content/   the exact text the operator signs
POST /unit/declarations/drafts/<token>/submit/    certificate + signature (JSON)
POST /unit/declarations/drafts/<token>/discard/   drop the draft

The browser fetches the canonical content, checks its digest against the page, signs it
with the key of the certificate the operator logged in with (static/declarations/
confirm.js) and posts the signature; `draft_submit` verifies it (signing.py) and submits.
Batch file uploads keep their own URLs (web/upload.py) over the same functions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from shebao.accounts.principal import principal_of
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession

from ..models import Declaration, DeclarationKind, Status
from ..presenters import line_headers, line_rows, what_happens
from ..selectors import draft_for_unit
from ..services import DRAFT_TTL, canonical_content, declaration_discard, effective_month
from ..submitting import SubmitRefused, draft_submit_signed, signed_content
from . import backpay, wage

LINES_PER_PAGE = 100
# DeclarationKind-specific parts of the confirm page: function(draft, today) -> context with an
# "extra_template" to include (the 补缴 amounts, the bases of a wage declaration).
CONFIRM_EXTRAS: dict[str, Callable[[Declaration, dt.date], dict[str, Any]]] = {
    DeclarationKind.BACKPAY: backpay.confirm_extra,
    DeclarationKind.WAGE: wage.confirm_extra,
}


def confirm_page(request: HttpRequest, session: UnitSession, draft: Declaration, *,
                 content_url: str, submit_url: str, discard_url: str | None = None,
                 **extra: Any) -> HttpResponse:
    today = timezone.localdate()
    cutoff = settings.DECLARATION_CUTOFF_DAY
    lines = list(draft.lines.select_related("person").order_by("line_no"))
    content = canonical_content(draft)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    effective = effective_month(today, cutoff)
    context: dict[str, Any] = {
        "draft": draft, "unit": session.unit, "effective": effective, "cutoff": cutoff,
        "today": today, "before_cutoff": today.day <= cutoff, "line_total": len(lines),
        "happens": what_happens(draft, session.unit, lines, effective, today),
        "digest": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "headers": line_headers(draft.kind), "page": page,
        "rows": line_rows(draft.kind, page.object_list),
        "unit_level": draft.kind == DeclarationKind.UNIT_CHANGE, "draft_days": DRAFT_TTL.days,
        "content_url": content_url, "submit_url": submit_url, "discard_url": discard_url,
        **extra}
    if draft.kind in CONFIRM_EXTRAS:
        context.update(CONFIRM_EXTRAS[draft.kind](draft, today))
    return render(request, "declarations/confirm.html", context)


def content_response(draft: Declaration) -> HttpResponse:
    """The exact text the operator signs (UTF-8, no newline added)."""
    return HttpResponse(signed_content(draft), content_type="text/plain; charset=utf-8")


def _refused(code: str, message: str, status: int = 400, **extra: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


def submit_response(request: HttpRequest, session: UnitSession,
                    draft: Declaration) -> JsonResponse:
    """Verify the signature over the draft's canonical content and submit it."""
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
    principal = principal_of(request)
    digest = body.get("content_digest")
    try:
        submitted = draft_submit_signed(
            draft, session_fingerprint=principal.credential,
            certificate_pem=body["certificate"], signature=body["signature"],
            signed_digest=str(digest) if digest is not None else None,
            actor=principal.actor(request))
    except SubmitRefused as exc:
        extra = ({"next": reverse("declarations:detail", args=[exc.receipt_no])}
                 if exc.receipt_no else {})
        message = ("申报内容已变化，请刷新页面后重新签名" if exc.code == "content_changed"
                   else exc.message)
        return _refused(exc.code, message, exc.status, **extra)
    return JsonResponse({"receipt_no": submitted.receipt_no,
                         "next": reverse("declarations:detail", args=[submitted.receipt_no])})


@require_GET
@unit_session_required()
def draft_page(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    draft = draft_for_unit(session.unit, token)
    if draft.status != Status.DRAFT:
        return redirect("declarations:detail", receipt_no=draft.receipt_no)
    return confirm_page(
        request, session, draft,
        content_url=reverse("declarations:draft_content", args=[token]),
        submit_url=reverse("declarations:draft_submit", args=[token]),
        discard_url=reverse("declarations:draft_discard", args=[token]))


@never_cache
@require_GET
@unit_session_required()
def draft_content(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    return content_response(draft_for_unit(session.unit, token))


@require_POST
@unit_session_required(json=True)
def draft_submit(request: HttpRequest, session: UnitSession, token: str) -> JsonResponse:
    return submit_response(request, session, draft_for_unit(session.unit, token))


@require_POST
@unit_session_required()
def draft_discard(request: HttpRequest, session: UnitSession, token: str) -> HttpResponse:
    draft = draft_for_unit(session.unit, token)
    if draft.status != Status.DRAFT:
        return redirect("declarations:detail", receipt_no=draft.receipt_no)
    declaration_discard(draft, actor=principal_of(request).actor(request))
    messages.info(request, f"已放弃该{draft.get_kind_display()}草稿，未作任何申报")
    # Discarded from the drafts list: back to it; from the confirm page: to the home page.
    return redirect("declarations:list" if request.POST.get("back") == "list"
                    else "certauth:unit_home")
