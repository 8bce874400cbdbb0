"""补缴申报 on the web: one person of the unit, a month range, the wage (one for the
range, or month by month), the reason and the evidence files.

GET/POST /unit/declarations/backpay/

“试算” (action=quote) checks what was typed and shows what is due — per month and
insurance, the late fee to today, the pension account credit, the totals — without
creating anything. “下一步：确认并签名” (action=next) checks everything again with the
evidence files and creates the draft and its evidence in one transaction, then opens the
shared confirm step (web/confirm.py), whose 补缴 block is `confirm_extra` below.

Typed values are checked by the batch files' own parsers and rules
(`records_validate(kind="backpay")`), so a web form and a file get the same messages; each
message is shown at the field of its column. Per-month wages use the 月缴费工资 parser.

The files are received through a per-file size limit (a file past EVIDENCE_MAX_BYTES is
dropped unstored, and named in the error), so the CSRF check runs after it is in place,
as on the batch file upload. static/declarations/backpay.js sends “试算” without the
files and swaps in the answer, so that files already chosen stay chosen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from shebao.accounts.principal import principal_of
from shebao.accounts.ratelimit import ratelimit_hit
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.lib.periods import Month, month_range
from shebao.registry.models import Person

from ..backpay import (
    ACCEPT,
    EVIDENCE_MAX_BYTES,
    EVIDENCE_MAX_FILES,
    PER_MONTH_MAX,
    LineQuote,
    evidence_check,
    line_quote,
    line_quotes,
    wages_key,
)
from ..batchfiles import KINDS, BackpayRecord, records_validate
from ..batchfiles.errors import CellError
from ..batchfiles.rules import BACKPAY_EARLIEST
from ..errors import DeclarationError
from ..models import Declaration
from ..presenters import evidence_rows, quote_context
from ..services import backpay_draft_create
from ..uploads import SizeLimit

SPEC = KINDS["backpay"]
FIELD_OF_COLUMN = {c.header: c.field for c in SPEC.columns}
TYPED = ("id_number", "name", "start", "end", "wage", "reason")
# A request body this much larger than the files' limit is refused unread.
REQUEST_MAX = EVIDENCE_MAX_FILES * EVIDENCE_MAX_BYTES + 1024 * 1024
# Drafts a unit may create per window: a day's work, not a flood of stored files.
DRAFT_RATE_LIMIT = 30
DRAFT_RATE_WINDOW = 3600
_MB = EVIDENCE_MAX_BYTES // (1024 * 1024)
TOO_LARGE = (f"所选证明材料合计超过 {EVIDENCE_MAX_FILES * _MB} MB，未受理："
             f"每个文件不超过 {_MB} MB，最多 {EVIDENCE_MAX_FILES} 个，请压缩后重新填报")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


def _text(label: str, help_text: str = "", **attrs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, help_text=help_text, strip=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off", **attrs}))


class BackpayForm(forms.Form):
    """What the unit types. Every field is optional here: the batch rules give the
    messages (身份证号码不能为空 …), the same ones a file gets."""

    id_number = _text("身份证号码", "18 位公民身份号码，末位可为 X", maxlength=24,
                      spellcheck="false")
    name = _text("姓名", "与社会保险登记的姓名一致", maxlength=50)
    start = _text("起始年月", f"补缴的第一个月，最早为 {BACKPAY_EARLIEST.label}",
                  type="month", placeholder="YYYY-MM", min=str(BACKPAY_EARLIEST))
    end = _text("终止年月", "补缴的最后一个月，须早于本月", type="month",
                placeholder="YYYY-MM")
    wage = _text("月缴费工资（元）", "补缴期间每月的缴费工资；各月不同时勾选下面的“按月填写”",
                 maxlength=20, inputmode="decimal")
    by_month = forms.BooleanField(
        label="按月填写各月工资", required=False,
        help_text=f"勾选后点击“试算”，按补缴期间列出各月工资表（补缴期间不超过 "
                  f"{PER_MONTH_MAX} 个月）；表中预填上面的月缴费工资")
    reason = forms.CharField(label="补缴原因", required=False, strip=False,
                             help_text="说明应缴未缴的原因，如“入职当月漏报”，最多 200 个字",
                             widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200}))
    evidence = forms.FileField(
        label="证明材料", required=False,
        help_text=f"劳动合同、工资发放记录、考勤记录等的扫描件或照片：PDF、JPG 或 PNG，"
                  f"每个不超过 {_MB} MB，最多 {EVIDENCE_MAX_FILES} 个",
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))

    def __init__(self, *args: Any, months: list[Month] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        last = str(Month.of(timezone.localdate()).add(-1))
        for name in ("start", "end"):
            self.fields[name].widget.attrs["max"] = last
        self.months = months or []
        for month in self.months:
            self.fields[f"wage_{wages_key(month)}"] = _text(
                f"{month.label}月缴费工资（元）", maxlength=20, inputmode="decimal")

    def month_fields(self) -> list[tuple[Month, forms.BoundField]]:
        return [(m, self[f"wage_{wages_key(m)}"]) for m in self.months]


# --- the page ----------------------------------------------------------------------------


def _page(request: HttpRequest, session: UnitSession, form: BackpayForm, *,
          status: int = 200, quote: LineQuote | None = None, error: str = "") -> HttpResponse:
    today = timezone.localdate()
    context = {"form": form, "unit": session.unit, "error": error, "today": today,
               "current": Month.of(today), "per_month_max": PER_MONTH_MAX,
               **quote_context([quote] if quote else [], today)}
    return render(request, "declarations/backpay.html", context, status=status)


@csrf_exempt  # checked by _backpay_post, once the size limit is in place
@require_http_methods(["GET", "POST"])
@unit_session_required()
def backpay(request: HttpRequest, session: UnitSession) -> HttpResponse:
    if request.method == "GET":
        return _page(request, session, BackpayForm())
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > REQUEST_MAX:  # refused before a byte of the body is read
        return _page(request, session, BackpayForm(), status=413, error=TOO_LARGE)
    limit = SizeLimit(request, EVIDENCE_MAX_BYTES)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _backpay_post(request, session, limit)


def _period(data: Any, today: dt.date) -> tuple[Month, Month] | None:
    """The period typed, when both months parse and are in order (for the wage table)."""
    try:
        start = SPEC.column("start").parse(data.get("start", ""), today)
        end = SPEC.column("end").parse(data.get("end", ""), today)
    except CellError:
        return None
    if not (isinstance(start, Month) and isinstance(end, Month)) or start > end:
        return None
    return start, end


def _bound_form(request: HttpRequest, today: dt.date) -> BackpayForm:
    """The form over what was posted, with the wage table when it is asked for and the
    period allows it; months the table did not have yet get the single wage."""
    data = request.POST.copy()
    period = _period(data, today)
    months: list[Month] = []
    if data.get("by_month") and period and period[1] - period[0] < PER_MONTH_MAX:
        months = list(month_range(*period))
        for month in months:
            data.setdefault(f"wage_{wages_key(month)}", data.get("wage", ""))
    form = BackpayForm(data, months=months)
    form.is_valid()
    if data.get("by_month") and period and not months:
        count = period[1] - period[0] + 1
        form.add_error("by_month", f"按月填写最多 {PER_MONTH_MAX} 个月，补缴期间 "
                       f"{period[0].label}至{period[1].label}共 {count} 个月：请分段申报，"
                       "或取消勾选、按统一的月缴费工资填写")
    return form


def _checked(form: BackpayForm, session: UnitSession,
             today: dt.date) -> tuple[BackpayRecord, dict[Month, int]] | None:
    """The record and the wage of each month, or None with the errors on the form."""
    by_month = bool(form.data.get("by_month"))
    item: dict[str, object] = {f: str(form.data.get(f, "")) for f in TYPED}
    if by_month:
        item["wage"] = "1"  # a valid stand-in: the wages are checked month by month below
    result = records_validate([item], kind="backpay", unit=session.unit, as_of=today)
    for error in result.errors:
        field = FIELD_OF_COLUMN.get(error.column)
        if by_month and field == "wage":
            continue
        form.add_error(field if field in form.fields else None, error.message)
    wages: dict[Month, int] = {}
    wage_column = SPEC.column("wage")
    for month, bound in form.month_fields():
        try:
            wage = wage_column.parse(str(form.data.get(bound.html_name, "")), today)
        except CellError as exc:
            form.add_error(bound.name, f"{month.label}：{exc.message}")
            continue
        assert isinstance(wage, int)
        wages[month] = wage
    if form.errors or not result.records:
        return None
    record = result.records[0]
    assert isinstance(record, BackpayRecord)
    if by_month:
        record = replace(record, wage=wages[record.start])
    else:
        wages = dict.fromkeys(month_range(record.start, record.end), record.wage)
    return record, wages


@csrf_protect
def _backpay_post(request: HttpRequest, session: UnitSession,
                  limit: SizeLimit) -> HttpResponse:
    today = timezone.localdate()
    unit = session.unit
    form = _bound_form(request, today)  # reads the body, under the size limit
    checked = _checked(form, session, today)
    quote = None
    if checked is not None:
        record, wages = checked
        person = Person.objects.get(id_number=record.id_number)  # the rules found them
        quote = line_quote(1, person, unit, wages, today)
        if quote.error:
            form.add_error(None, quote.error)
            quote = None
    if request.POST.get("action") != "next":
        return _page(request, session, form, quote=quote, status=400 if form.errors else 200)
    uploads = request.FILES.getlist("evidence")
    evidence, problems = evidence_check([(f.name or "", f.read()) for f in uploads],
                                        too_big=limit.too_big)
    for problem in problems:
        form.add_error("evidence", problem)
    if form.errors or checked is None:
        return _page(request, session, form, quote=quote, status=400)
    if not ratelimit_hit(f"backpay-draft-unit:{unit.number}", limit=DRAFT_RATE_LIMIT,
                         window_seconds=DRAFT_RATE_WINDOW):
        return _page(request, session, form, quote=quote, status=429,
                     error="填报过于频繁，请一小时后再试")
    record, wages = checked
    try:
        draft = backpay_draft_create(unit=unit, record=record, wages=wages, evidence=evidence,
                                     actor=principal_of(request).actor(request))
    except DeclarationError as exc:
        return _page(request, session, form, quote=quote, status=409, error=str(exc))
    return redirect("declarations:draft", token=draft.draft_token)


# --- the confirm step and the review ------------------------------------------------------


def confirm_extra(draft: Declaration, today: dt.date) -> dict[str, Any]:
    """The 补缴 block of the confirm page: the same quote as the form's 试算 (for every
    line of a batch file draft too) and the evidence files attached."""
    return {"extra_template": "declarations/_backpay_quote.html",
            **quote_context(line_quotes(draft, today), today),
            "bp_show_evidence": True, "evidence": evidence_rows(draft)}
