"""The yearly window of 缴费工资申报, set by agency staff [decision, DOMAIN.md].

Each policy year (缴费年度) has at most one window, from `opens_on` to `closes_on`
inclusive; windows of different years never overlap, so on any day at most one is open.
A wage declaration is accepted only while a window is open, and declares the bases of
that window's policy year: `declaring_window` is that rule, for the web page, the batch
file upload, the API and services.declaration_create alike; `window_submit_refusal` the
rule of submitting a wage draft (services.declaration_submit, the confirm page). Wages
not declared in time become 110% of last year's (settlement's `wage_defaults_fill`).

A window can be set and changed until it closes; a closed window is history.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from shebao.audit.services import Actor, event_record
from shebao.lib.periods import Month
from shebao.policy.selectors import PolicyMissing, policy_at, policy_years

from .errors import DeclarationError
from .models import WageWindow

LATE_NOTE = "未申报的人员按上年度月缴费工资的 110% 核定缴费基数"


class WindowInvalid(ValueError):
    """A window the rules refuse: Chinese messages by field (policy_year, opens_on,
    closes_on; "" for the whole form)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def day_label(day: dt.date) -> str:
    """2026年11月27日"""
    return f"{day.year}年{day.month}月{day.day}日"


def window_span(window: WageWindow) -> str:
    return f"{day_label(window.opens_on)}至{day_label(window.closes_on)}"


def window_state(window: WageWindow, day: dt.date) -> str:
    """未开始, 申报中 or 已结束 on `day`."""
    if day < window.opens_on:
        return "未开始"
    return "申报中" if day <= window.closes_on else "已结束"


def window_open_on(day: dt.date) -> WageWindow | None:
    """The window open on `day` (windows never overlap: at most one)."""
    return (WageWindow.objects.filter(opens_on__lte=day, closes_on__gte=day)
            .order_by("opens_on").first())


@dataclass(frozen=True)
class WindowStatus:
    """What a unit is told on a day: the open window, else the next or the last one."""

    open: WageWindow | None
    upcoming: WageWindow | None
    last: WageWindow | None

    @property
    def message(self) -> str:
        if self.open is not None:
            return (f"{self.open.policy_year} 缴费年度缴费工资申报期为"
                    f"{window_span(self.open)}，现可申报")
        if self.upcoming is not None:
            return (f"当前不在缴费工资申报期内：{self.upcoming.policy_year} 年度申报期为"
                    f"{window_span(self.upcoming)}，请届时申报")
        if self.last is not None:
            return (f"当前不在缴费工资申报期内：{self.last.policy_year} 年度申报期为"
                    f"{window_span(self.last)}，已经截止；{LATE_NOTE}")
        return "经办机构尚未设置本年度缴费工资申报期"


def window_status(day: dt.date) -> WindowStatus:
    """The open window on `day`, else the next to open and the last that closed."""
    open_ = window_open_on(day)
    if open_ is not None:
        return WindowStatus(open_, None, None)
    upcoming = WageWindow.objects.filter(opens_on__gt=day).order_by("opens_on").first()
    last = WageWindow.objects.filter(closes_on__lt=day).order_by("-closes_on").first()
    return WindowStatus(None, upcoming, last)


class WindowClosed(DeclarationError):
    """No window is open: the message says when the next one opens or when the last one
    closed; `status` is what a unit is told that day."""

    def __init__(self, status: WindowStatus) -> None:
        super().__init__(status.message)
        self.status = status


def declaring_window(day: dt.date) -> WageWindow:
    """May a unit declare wages on `day`: the window open that day, whose policy year the
    declaration is for. WindowClosed otherwise, its Chinese message naming the next
    window or the last one."""
    status = window_status(day)
    if status.open is None:
        raise WindowClosed(status)
    return status.open


def window_submit_refusal(policy_year: int | None, day: dt.date) -> str | None:
    """Why a wage draft of `policy_year` cannot be submitted on `day`, or None: its
    year's window must still be open (a draft made on the last day is refused after)."""
    if policy_year is None:
        return "该缴费工资申报草稿没有缴费年度，请放弃后重新填报"
    return submit_refusal(policy_year, year_window(policy_year), day)


def year_window(policy_year: int) -> WageWindow | None:
    return WageWindow.objects.filter(policy_year=policy_year).first()


def submit_refusal(policy_year: int, window: WageWindow | None, day: dt.date) -> str | None:
    """`window_submit_refusal` with the year's window already read (None: not set)."""
    if window is None:
        return f"经办机构尚未设置 {policy_year} 缴费年度的缴费工资申报期，不能提交"
    if day < window.opens_on:
        return (f"{policy_year} 年度缴费工资申报期为{window_span(window)}，尚未开始，"
                "请届时提交")
    if day > window.closes_on:
        return (f"{policy_year} 年度缴费工资申报期为{window_span(window)}，已经截止，"
                f"该草稿不能再提交；{LATE_NOTE}")
    return None


def windows_listed() -> list[WageWindow]:
    """Every window, the latest policy year first (one row a year: a short list)."""
    return list(WageWindow.objects.order_by("-policy_year"))


def settable_years(day: dt.date) -> list[int]:
    """Policy years a window can be set for on `day`: those the policy table knows that
    have not ended, latest first."""
    month = Month.of(day)
    return sorted((fig.value for fig in policy_years()
                   if fig.last_month is None or fig.last_month >= month), reverse=True)


def _year_errors(policy_year: int, day: dt.date) -> str | None:
    figures = {fig.value: fig for fig in policy_years()}
    fig = figures.get(policy_year)
    if fig is None:
        known = sorted(figures)
        span = f"（已知 {known[0]}–{known[-1]} 缴费年度）" if known else ""
        return f"{policy_year} 不是已知的缴费年度{span}，请先录入该年度的政策参数"
    if fig.last_month is not None and fig.last_month < Month.of(day):
        return (f"{policy_year} 缴费年度已于 {fig.last_month.label}结束，"
                "不能再为其设置缴费工资申报期")
    try:
        policy_at(fig.first_month)
    except PolicyMissing as exc:
        return f"{policy_year} 缴费年度的政策参数不全：{exc}"
    return None


def _window_record(window: WageWindow) -> dict[str, object]:
    return {"policy_year": window.policy_year, "opens_on": window.opens_on.isoformat(),
            "closes_on": window.closes_on.isoformat(), "set_by": window.set_by}


def window_set(*, policy_year: int, opens_on: dt.date, closes_on: dt.date, actor: Actor,
               today: dt.date) -> WageWindow:
    """Set (or change) the window of a policy year. WindowInvalid with a message per field:
    an unknown or ended policy year, a close before the open or before today, a window
    that has already closed, an overlap with another year's window."""
    errors: dict[str, str] = {}
    year_error = _year_errors(policy_year, today)
    if year_error:
        errors["policy_year"] = year_error
    if closes_on < opens_on:
        errors["closes_on"] = (f"申报截止日期（{day_label(closes_on)}）不能早于开始日期"
                               f"（{day_label(opens_on)}）")
    elif closes_on < today:
        errors["closes_on"] = (f"申报截止日期（{day_label(closes_on)}）不能早于今天"
                               f"（{day_label(today)}）")
    with transaction.atomic():
        # The whole (short) table is locked: two staff cannot set overlapping windows.
        windows = list(WageWindow.objects.select_for_update().order_by("opens_on"))
        existing = next((w for w in windows if w.policy_year == policy_year), None)
        if existing is not None and existing.closes_on < today:
            errors["policy_year"] = (f"{policy_year} 年度的申报期（{window_span(existing)}）"
                                     "已经结束，不能再修改")
        overlap = next((w for w in windows if w.policy_year != policy_year
                        and w.opens_on <= closes_on and opens_on <= w.closes_on), None)
        if overlap is not None and "closes_on" not in errors:
            errors["opens_on"] = (f"与 {overlap.policy_year} 年度的申报期"
                                  f"（{window_span(overlap)}）重叠：各年度的申报期不能重叠")
        if errors:
            raise WindowInvalid(errors)
        before = _window_record(existing) if existing is not None else None
        window = existing or WageWindow(policy_year=policy_year)
        window.opens_on, window.closes_on, window.set_by = opens_on, closes_on, actor.ident
        window.save()
        event_record(actor=actor, action="wage_window_set", object_type="wage_window",
                     object_ref=str(policy_year), before=before, after=_window_record(window))
    return window


def window_demo_set(today: dt.date, actor: Actor) -> WageWindow | None:
    """The demo city's window: the policy year of `today`, open from the first of this
    month to the end of next month, so that its units can declare wages at once.
    None when the policy table has no year for today."""
    try:
        year = policy_at(Month.of(today)).year_label
    except PolicyMissing:
        return None
    existing = WageWindow.objects.filter(policy_year=year).first()
    if existing is not None:
        return existing
    following = Month.of(today).add(1)
    closes = dt.date(following.year, following.month,
                     calendar.monthrange(following.year, following.month)[1])
    try:
        return window_set(policy_year=year, opens_on=today.replace(day=1), closes_on=closes,
                          actor=actor, today=today)
    except WindowInvalid:  # another year's window in the way: staff decide
        return None
