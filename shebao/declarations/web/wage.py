"""缴费工资申报 on the web: the unit's people with an input each, while the window is open.

GET  /unit/declarations/wage/   the window, the policy year's base limits and one page of
                                the unit's enrolled people, each prefilled with the wage
                                of this year (if declared) or last year
POST /unit/declarations/wage/   the typed wages of that page: checked by
                                `records_validate(kind="wage")` (the batch file's parser
                                and registry rules; messages at each person's input) and
                                shown with the resulting bases; "下一步" makes the draft
                                and goes to the shared confirm step (web/confirm.py)
GET  /unit/declarations/wage/prefilled.xlsx
                                the wage batch file with every enrolled person and the
                                page's prefill, for units too large to go page by page

Only the people the unit edited (a wage other than the prefill) or confirmed (the
"本次申报" box ticked for an unchanged prefill) are declared; a prefill left as it was,
or a person left blank, is not. A page holds PER_PAGE people, read in two
queries whatever the unit's size (the wages of both years are subqueries); a unit of
thousands is better served by one batch file, which the page links to.
`confirm_extra` adds the bases per person and insurance to the confirm page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from shebao.accounts.principal import principal_of
from shebao.certauth.access import unit_session_required
from shebao.certauth.selectors import UnitSession
from shebao.lib.downloads import attachment
from shebao.lib.money import fen_to_yuan, format_fen, format_fen_grouped
from shebao.lib.periods import Month
from shebao.lib.spreadsheets import XLSX_CONTENT_TYPE
from shebao.policy.selectors import PolicyMissing
from shebao.registry.choices import WageSource
from shebao.registry.models import Unit

from ..batchfiles import KINDS, records_validate
from ..batchfiles.blank_forms import form_xlsx
from ..batchfiles.errors import CellError, FileRefused
from ..errors import DeclarationError
from ..models import Declaration, Source, WageWindow
from ..services import declaration_create
from ..wagebases import Bases, Limits, bases_for, declared_count, enrolled_people, year_limits
from ..wagewindow import (
    LATE_NOTE,
    WindowClosed,
    WindowStatus,
    day_label,
    declaring_window,
    submit_refusal,
    window_span,
    year_window,
)

PER_PAGE = 100
SEARCH_MAX = 18
BASES_SHOWN = 500  # rows of the bases table on the confirm page
WAGE = KINDS["wage"]
# This year's wage that the input starts from; a 110% default starts from last year's.
PREFILL_SOURCES = {WageSource.DECLARED, WageSource.NEW_HIRE, WageSource.IMPORTED}
SOURCE_LABELS = dict(WageSource.choices)


@dataclass
class Row:
    """One person on the page: what the registry holds and what was typed."""

    ref: str
    name: str
    id_number: str
    last_wage: int | None
    this_wage: int | None
    this_source: str | None
    typed: str
    errors: list[str]
    bases: Bases | None = None
    declared: bool = False  # edited or confirmed: part of this declaration
    posted: bool = False  # shown after a POST (not the first view of the page)

    @property
    def field(self) -> str:
        return f"wage-{self.ref}"

    @property
    def last_shown(self) -> str:
        return format_fen_grouped(self.last_wage) if self.last_wage is not None else ""

    @property
    def this_shown(self) -> str:
        return format_fen_grouped(self.this_wage) if self.this_wage is not None else ""

    @property
    def this_source_label(self) -> str:
        return str(SOURCE_LABELS.get(self.this_source or "", ""))


def _prefill_fen(person: Any) -> int | None:
    """This year's wage when already declared (or defaulted), else last year's."""
    if person.this_wage is not None and person.this_source in PREFILL_SOURCES:
        return int(person.this_wage)
    return None if person.last_wage is None else int(person.last_wage)


def _prefill(person: Any) -> str:
    fen = _prefill_fen(person)
    return "" if fen is None else format_fen(fen)


def _row(person: Any, typed: str) -> Row:
    return Row(person.ref, person.name, person.id_number, person.last_wage,
               person.this_wage, person.this_source, typed, [])


def _wage_of(text: str, today: dt.date) -> int | None:
    """The typed wage in fen, by the batch file's own parser; None when it is refused."""
    try:
        value = WAGE.column("wage").parse(text, today)
    except CellError:
        return None
    return value if isinstance(value, int) else None


def _declared(person: Any, typed: str, confirmed: bool, today: dt.date) -> bool:
    """Whether a posted row is declared: a wage typed and either edited (other than the
    prefill; an unreadable wage counts, so its error is shown) or confirmed."""
    if not typed:
        return False
    wage_fen = _wage_of(typed, today)
    return confirmed or wage_fen is None or wage_fen != _prefill_fen(person)


# --- the page --------------------------------------------------------------------------


def _closed(request: HttpRequest, unit: Unit, status: WindowStatus) -> HttpResponse:
    """Outside the window: the dates, no form (a form posted anyway changes nothing)."""
    return render(request, "declarations/wage.html", {
        "unit": unit, "status": status, "late_note": LATE_NOTE},
        status=400 if request.method == "POST" else 200)


def _search(request: HttpRequest) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return "".join(str(source.get("q", "")).split())[:SEARCH_MAX]


@require_http_methods(["GET", "POST"])
@unit_session_required()
def wage(request: HttpRequest, session: UnitSession) -> HttpResponse:
    unit, today = session.unit, timezone.localdate()
    try:
        window = declaring_window(today)
    except WindowClosed as exc:
        return _closed(request, unit, exc.status)
    status = WindowStatus(window, None, None)
    try:
        limits = year_limits(window.policy_year, unit)
    except PolicyMissing as exc:
        return render(request, "declarations/wage.html", {
            "unit": unit, "status": status, "policy_error": str(exc)})
    search = _search(request)
    source = request.POST if request.method == "POST" else request.GET
    pending = source.get("pending") == "1"
    month = Month.of(today)
    people = enrolled_people(unit, window.policy_year, month, search, pending)
    page_number = (request.POST if request.method == "POST" else request.GET).get("page")
    page = Paginator(people, PER_PAGE).get_page(page_number)
    context: dict[str, Any] = {
        "unit": unit, "status": status, "window": window, "limits": limits, "page": page,
        "search": search, "pending": pending, "today": today, "late_note": LATE_NOTE,
        "per_page": PER_PAGE,
        "enrolled": (page.paginator.count if not (search or pending)
                     else enrolled_people(unit, window.policy_year, month).count()),
        "declared": declared_count(unit, window.policy_year, month)}
    if request.method == "GET":
        rows = [_row(p, _prefill(p)) for p in page.object_list]
        for row in rows:
            wage_fen = _wage_of(row.typed, today) if row.typed else None
            row.bases = bases_for(wage_fen, limits) if wage_fen is not None else None
        return render(request, "declarations/wage.html", {**context, "rows": rows})
    return _post(request, session, window, limits, context)


PREFILLED_NOTES = (
    "本表已按本单位在册参保人员预填：月缴费工资为本年度已申报的工资，未申报的为上年度工资；"
    "上年度无工资记录的人员留空，须补填后才能上传。",
    "请逐人核对、修改为上一年度的月平均工资后，在“报盘文件上传”选择“缴费工资”上传；"
    "不申报的人员请整行删除。",
)
PREFILL_CHUNK = 2_000


@require_GET
@unit_session_required()
def wage_prefilled(request: HttpRequest, session: UnitSession) -> HttpResponse:
    """The wage batch file prefilled with all the unit's enrolled people (the page's
    prefill, every page at once), streamed from the database in chunks: for units too
    large to declare page by page. Only while a window is open (its policy year)."""
    unit, today = session.unit, timezone.localdate()
    try:
        window = declaring_window(today)
    except WindowClosed:
        return redirect("declarations:wage")
    people = enrolled_people(unit, window.policy_year, Month.of(today))
    rows = ([p.id_number, p.name, None if (fen := _prefill_fen(p)) is None
             else fen_to_yuan(fen)] for p in people.iterator(chunk_size=PREFILL_CHUNK))
    year = window.policy_year
    response = HttpResponse(form_xlsx("wage", rows, PREFILLED_NOTES),
                            content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment(
        f"{unit.number}_{year}年度缴费工资申报.xlsx", f"wage-{unit.number}-{year}.xlsx")
    response["Cache-Control"] = "no-store"
    return response


def _post(request: HttpRequest, session: UnitSession, window: WageWindow, limits: Limits,
          context: dict[str, Any]) -> HttpResponse:
    today = context["today"]
    typed = {key.removeprefix("wage-"): str(value).strip()
             for key, value in request.POST.items() if key.startswith("wage-")}
    form_errors: list[str] = []
    if len(typed) > PER_PAGE:
        form_errors.append(f"每次最多提交 {PER_PAGE} 人，请分页填写或使用报盘文件")
        typed = {}
    # Only the unit's own enrolled people: another unit's or a departed person's input
    # is not read (and nothing is said about who they are).
    found = list(enrolled_people(session.unit, window.policy_year, Month.of(today))
                 .filter(ref__in=list(typed))) if typed else []
    if len(found) < len(typed):
        form_errors.append(f"有 {len(typed) - len(found)} 人已不在本单位参保名单中，"
                           "未列入本次申报，请刷新页面")
    confirmed = set(request.POST.getlist("confirm"))
    rows = [_row(p, typed[p.ref]) for p in found]
    for person, row in zip(found, rows, strict=True):
        row.posted = True
        row.declared = _declared(person, row.typed, row.ref in confirmed, today)
        if row.ref in confirmed and not row.typed:
            row.errors.append("已勾选本次申报，请填写月缴费工资，或取消勾选")
    filled = [row for row in rows if row.declared]
    records = []
    if not filled and not form_errors and not any(row.errors for row in rows):
        form_errors.append("请修改或勾选确认至少一名人员的月缴费工资：预填的工资未修改也未勾选"
                           "“本次申报”的人员，本次不申报")
    elif filled:
        items: list[dict[str, object]] = [
            {"id_number": r.id_number, "name": r.name, "wage": r.typed} for r in filled]
        try:
            result = records_validate(items, kind="wage", unit=session.unit, as_of=today)
        except FileRefused as exc:
            form_errors.append(exc.message)
        else:
            for error in result.errors:
                if error.row is None:
                    form_errors.append(error.message)
                else:
                    filled[error.row - 1].errors.append(error.message)
            records = result.records
    for row in filled:
        wage_fen = None if row.errors else _wage_of(row.typed, today)
        row.bases = bases_for(wage_fen, limits) if wage_fen is not None else None
    invalid = bool(form_errors) or any(row.errors for row in rows)
    if not invalid and request.POST.get("action") == "next":
        try:
            draft: Declaration = declaration_create(
                unit=session.unit, records=records, source=Source.WEB,
                actor=principal_of(request).actor(request), today=today)
        except DeclarationError as exc:
            form_errors.append(str(exc))
        else:
            return redirect("declarations:draft", token=draft.draft_token)
    error_count = sum(len(row.errors) for row in rows)
    return render(request, "declarations/wage.html", {
        **context, "rows": rows, "form_errors": form_errors, "error_count": error_count,
        "checked": True, "declared_count": len(filled)},
        status=400 if form_errors or error_count else 200)


# --- the confirm page ------------------------------------------------------------------


@dataclass(frozen=True)
class BaseLine:
    line_no: int
    name: str
    id_number: str
    wage: int
    bases: Bases

    @property
    def wage_shown(self) -> str:
        return format_fen_grouped(self.wage)


def confirm_extra(draft: Declaration, today: dt.date) -> dict[str, Any]:
    """The bases a wage draft gives each person for its policy year, per insurance
    (CONFIRM_EXTRAS of web/confirm.py), with the window it must be submitted in."""
    extra: dict[str, Any] = {"extra_template": "declarations/_wage_bases.html"}
    year = draft.policy_year
    if year is None:
        extra["wage_error"] = "该草稿没有缴费年度，不能提交，请放弃后重新填报"
        return extra
    try:
        limits = year_limits(year, draft.unit)
    except PolicyMissing as exc:
        extra["wage_error"] = str(exc)
        return extra
    window = year_window(year)
    lines: list[BaseLine] = []
    clamped = {"下限": 0, "上限": 0}
    total = 0
    for line_no, id_number, name, data in (draft.lines.order_by("line_no")
                                           .values_list("line_no", "id_number", "name",
                                                        "data")):
        total += 1
        bases = bases_for(int(data["wage"]), limits)
        for side in {b.clamped for b in bases.items if b.clamped}:
            clamped[side] += 1
        if len(lines) < BASES_SHOWN:
            lines.append(BaseLine(line_no, name, id_number, int(data["wage"]), bases))
    closed = submit_refusal(year, window, today) is not None
    extra["wage"] = {
        "year": year, "limits": limits, "lines": lines, "total": total,
        "more": total - len(lines), "lower": clamped["下限"], "upper": clamped["上限"],
        "window": window, "span": window_span(window) if window else "",
        "closes": day_label(window.closes_on) if window else "", "closed": closed}
    return extra
