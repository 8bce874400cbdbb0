"""The unit's printed documents (证明打印) and their public check (/verify/document/).

Printing is a POST: each print is a new document with its own 查询流水号 and 校验码, kept
as a snapshot and audited; the response is the PDF. The check page takes both codes by
POST (never in a URL: no history, logs or Referer), shares the lookup budget of the
receipt check, and shows the snapshot without personal data (documents hold none).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shebao.accounts.principal import client_ip, principal_of
from shebao.accounts.ratelimit import public_check_hit
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.declarations.selectors import normalize_code
from shebao.lib.downloads import attachment

from ..documents import (
    CODE_LENGTH,
    SERIAL_RANDOM,
    checks_until,
    document_check,
    document_issue,
    document_pdf,
    unit_documents,
)
from ..models import DocumentKind

SERIAL_LENGTH = 8 + SERIAL_RANDOM


class DocumentCheckForm(forms.Form):
    serial = forms.CharField(label="查询流水号", max_length=40,
                             help_text=f"证明上的 {SERIAL_LENGTH} 位查询流水号",
                             error_messages={"required": "请输入查询流水号"})
    code = forms.CharField(label="校验码", max_length=40,
                           help_text=f"证明上的 {CODE_LENGTH} 位校验码，不区分大小写",
                           error_messages={"required": "请输入校验码"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "doc_%s")  # unique beside the receipt form on /verify/
        super().__init__(*args, **kwargs)

    @staticmethod
    def _clean(text: str, length: int, name: str) -> str:
        value = normalize_code(text)
        if len(value) != length or not value.isascii() or not value.isalnum():
            raise forms.ValidationError(f"{name}应为 {length} 位字母和数字，请核对证明")
        return value

    def clean_serial(self) -> str:
        return self._clean(self.cleaned_data["serial"], SERIAL_LENGTH, "查询流水号")

    def clean_code(self) -> str:
        return self._clean(self.cleaned_data["code"], CODE_LENGTH, "校验码")


class PrintForm(forms.Form):
    kind = forms.ChoiceField(choices=[(DocumentKind.UNIT_ENROLMENT.value,
                                       DocumentKind.UNIT_ENROLMENT.label)],
                             error_messages={"invalid_choice": "暂不能打印该证明"})


@require_GET
@unit_session_required()
def documents(request: HttpRequest, session: UnitSession) -> HttpResponse:
    return render(request, "reports/documents.html", {
        "unit": session.unit, "printed": unit_documents(session.unit)})


@require_POST
@unit_session_required()
def document_print(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """Print a document of the session's unit: the PDF, with a new code and serial."""
    form = PrintForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/documents.html", {
            "unit": session.unit, "printed": unit_documents(session.unit), "form": form},
            status=400)
    issued = document_issue(unit=session.unit, kind=DocumentKind(form.cleaned_data["kind"]),
                            actor=principal_of(request).actor(request))
    serial = issued.document.serial
    check_url = request.build_absolute_uri(reverse("reports:document_verify")) + (
        f"?serial={serial}")
    response = HttpResponse(document_pdf(issued, check_url), content_type="application/pdf")
    response["Content-Disposition"] = attachment(
        f"{issued.document.get_kind_display()}{serial}.pdf", f"document-{serial}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def document_verify(request: HttpRequest) -> HttpResponse:
    """证明核验 (public). GET shows the form (the QR code's link fills in the serial)."""
    template = "reports/document_verify.html"
    if request.method == "GET":
        serial = normalize_code(request.GET.get("serial", ""))[:SERIAL_LENGTH]
        return render(request, template, {
            "form": DocumentCheckForm(initial={"serial": serial} if serial else None)})
    if not public_check_hit(client_ip(request)):
        return render(request, template, {
            "form": DocumentCheckForm(), "error": "查询过于频繁，请十分钟后再试"}, status=429)
    form = DocumentCheckForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    document = document_check(form.cleaned_data["serial"], form.cleaned_data["code"])
    context: dict[str, object] = {"form": DocumentCheckForm(), "searched": True,
                                  "document": document}
    if document is not None:
        context.update(facts=document.facts, until=checks_until(document))
    return render(request, template, context)
