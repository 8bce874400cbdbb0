"""Agency work (经办): the monthly cycle's money side. Staff only, by role."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shebao.accounts.models import StaffRole
from shebao.contributions.arrears import arrears_for_units, pending_late_fee, units_in_arrears
from shebao.contributions.bankfile import bankfile_import
from shebao.contributions.issues import settlement_issues
from shebao.contributions.payments import PaymentError, PaymentInput, payment_record
from shebao.contributions.runs import runs_unfinished
from shebao.lib.money import format_fen_grouped
from shebao.registry.models import Unit

from .access import staff_actor, staff_required
from .forms import AsOfForm, BankFileForm, PaymentForm

ANY_STAFF = (StaffRole.INTAKE, StaffRole.REVIEW)


ISSUES_SHOWN = 50


@staff_required(*ANY_STAFF)
def index(request: HttpRequest) -> HttpResponse:
    issues = settlement_issues()
    return render(request, "backoffice/index.html",
                  {"issues": issues[:ISSUES_SHOWN], "issue_count": issues.count(),
                   "unfinished_runs": list(runs_unfinished())})


@staff_required(StaffRole.INTAKE)
def payment_new(request: HttpRequest) -> HttpResponse:
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = payment_record(
                PaymentInput(unit=data["unit_number"], amount=data["amount"],
                             paid_date=data["paid_date"], month=data["month"],
                             reference=data["reference"]),
                actor=staff_actor(request),
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            note = (f"，其中 {format_fen_grouped(payment.unallocated)} 元暂未冲抵"
                    if payment.unallocated else "")
            messages.success(request, f"已登记 {data['unit_number'].name} 缴费 "
                                      f"{format_fen_grouped(payment.amount)} 元{note}")
            return redirect("backoffice:payment_new")
    return render(request, "backoffice/payment_new.html", {"form": form})


@staff_required(StaffRole.INTAKE)
def bankfile_upload(request: HttpRequest) -> HttpResponse:
    form = BankFileForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = bankfile_import(upload.read(), filename=upload.name,
                                 actor=staff_actor(request))
        if result.ok and result.batch is not None:
            # The same file again is refused (nothing applied): a warning, not a success.
            level = messages.WARNING if result.duplicate else messages.SUCCESS
            messages.add_message(request, level, result.summary)
            return redirect("backoffice:bankfile_upload")
    return render(request, "backoffice/bankfile_upload.html", {"form": form, "result": result})


@staff_required(*ANY_STAFF)
def arrears(request: HttpRequest) -> HttpResponse:
    """Units in arrears with what they owe and the late fee to a date (paginated)."""
    form = AsOfForm(request.GET if "as_of" in request.GET else {"as_of": ""})
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        as_of = form.cleaned_data["as_of"]
        units = Unit.objects.filter(id__in=units_in_arrears(as_of)).order_by("number")
        page = Paginator(units, 50).get_page(request.GET.get("page"))
        lines = arrears_for_units([u.id for u in page], as_of)
        rows = []
        for unit in page:
            owed = [x for x in lines[unit.id] if x.outstanding > 0]
            rows.append({
                "unit": unit, "months": len(owed),
                "outstanding": sum(x.outstanding for x in owed),
                "late_fee": pending_late_fee(lines[unit.id]),
                "oldest": owed[0].month if owed else None,
            })
        context.update(as_of=as_of, page=page, rows=rows,
                       unfinished_runs=list(runs_unfinished()))
    return render(request, "backoffice/arrears.html", context)
