"""申报审核: the queue of declarations waiting for review, each by its receipt number,
approved (审核通过) or returned with a reason (退回). 审核岗 and 管理员 only; the
transitions and their audit events are the declaration services'."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shebao.accounts.models import StaffRole
from shebao.declarations.backpay import EVIDENCE_SUFFIXES, evidence_item
from shebao.declarations.errors import DeclarationError
from shebao.declarations.models import Declaration, Status
from shebao.declarations.presenters import receipt_context, review_extra
from shebao.declarations.selectors import declaration_by_receipt, line_counts, review_queue
from shebao.declarations.services import declaration_approve, declaration_return
from shebao.lib.downloads import attachment

from .access import staff_actor, staff_required

QUEUE_PER_PAGE = 50


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(
        attrs={"rows": 3, "cols": 60}),
        help_text="单位将在申报记录和回执中看到退回原因，请写明需要补正的内容",
        error_messages={"required": "退回时必须填写退回原因",
                        "max_length": "退回原因不能超过 500 个字"})

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("退回时必须填写退回原因")
        return reason


@require_GET
@staff_required(StaffRole.REVIEW)
def declaration_queue(request: HttpRequest) -> HttpResponse:
    page = Paginator(review_queue(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    declarations = list(page.object_list)
    counts = line_counts(declarations)
    return render(request, "backoffice/declaration_queue.html", {
        "page": page, "rows": [(d, counts.get(d.pk, 0)) for d in declarations]})


def _detail(request: HttpRequest, declaration: Declaration, form: ReturnForm,
            status: int = 200) -> HttpResponse:
    context = receipt_context(declaration, request.GET.get("page"))
    context.update(form=form, reviewing=declaration.status == Status.REVIEWING)
    context.update(review_extra(declaration, timezone.localdate()))
    return render(request, "backoffice/declaration_detail.html", context, status=status)


@require_GET
@staff_required(StaffRole.REVIEW)
def declaration_detail(request: HttpRequest, receipt_no: str) -> HttpResponse:
    return _detail(request, declaration_by_receipt(receipt_no), ReturnForm())


@require_GET
@staff_required(StaffRole.REVIEW)
def declaration_evidence(request: HttpRequest, receipt_no: str,
                         evidence_id: int) -> HttpResponse:
    """One evidence file of the declaration, as an attachment of its stored type (never
    rendered inline: a file is the unit's, not ours)."""
    item = evidence_item(declaration_by_receipt(receipt_no), evidence_id)
    response = HttpResponse(bytes(item.data), content_type=item.content_type)
    suffix = EVIDENCE_SUFFIXES.get(item.content_type, "")
    response["Content-Disposition"] = attachment(item.file_name,
                                                 f"evidence-{item.pk}{suffix}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_required(StaffRole.REVIEW)
def declaration_approve_view(request: HttpRequest, receipt_no: str) -> HttpResponse:
    declaration = declaration_by_receipt(receipt_no)
    try:
        declaration_approve(declaration, actor=staff_actor(request),
                            today=timezone.localdate())
    except DeclarationError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:declaration_detail", receipt_no=receipt_no)
    messages.success(request, f"回执号 {receipt_no}（{declaration.unit.name}，"
                              f"{declaration.get_kind_display()}）已审核通过，申报已生效")
    return redirect("backoffice:declaration_queue")


@require_POST
@staff_required(StaffRole.REVIEW)
def declaration_return_view(request: HttpRequest, receipt_no: str) -> HttpResponse:
    declaration = declaration_by_receipt(receipt_no)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, declaration, form, status=400)
    try:
        declaration_return(declaration, reason=form.cleaned_data["reason"],
                           actor=staff_actor(request))
    except DeclarationError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:declaration_detail", receipt_no=receipt_no)
    messages.success(request, f"回执号 {receipt_no}（{declaration.unit.name}）已退回，"
                              "单位可在申报记录中看到退回原因")
    return redirect("backoffice:declaration_queue")
