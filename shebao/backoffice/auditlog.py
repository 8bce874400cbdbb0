"""The audit log for reviewers (审核, 管理员): search events, newest first, and check the
hash chain.

Pagination fetches one row more than a page instead of counting: the log is the
largest table and COUNT(*) over it would cost more than the page itself. Each page
is one query whatever the filters.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from shebao.accounts.events import LABELS
from shebao.accounts.models import StaffRole
from shebao.audit.models import ActorKind, Event
from shebao.audit.services import chain_verify
from shebao.lib.dates import DateError, parse_date

from .access import staff_required

PAGE_SIZE = 50
MAX_PAGE = 10_000


class AuditSearchForm(forms.Form):
    actor_kind = forms.ChoiceField(label="操作者类型", required=False,
                                   choices=[("", "全部"), *ActorKind.choices])
    actor = forms.CharField(label="操作者", max_length=64, required=False,
                            help_text="用户名、单位编号或脱敏身份证号，完整填写")
    action = forms.CharField(label="事件", max_length=48, required=False,
                             help_text="如 person_login_failed")
    object_type = forms.CharField(label="对象类型", max_length=32, required=False,
                                  help_text="如 person、staff、unit")
    object_ref = forms.CharField(label="对象", max_length=64, required=False)
    date_from = forms.CharField(label="起始日期", max_length=12, required=False,
                                help_text="YYYY-MM-DD")
    date_to = forms.CharField(label="截止日期", max_length=12, required=False,
                              help_text="YYYY-MM-DD，含当日")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs["list"] = "audit-actions"

    def _date(self, name: str) -> dt.date | None:
        text = self.cleaned_data[name].strip()
        if not text:
            return None
        try:
            return parse_date(text)
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_date_from(self) -> dt.date | None:
        return self._date("date_from")

    def clean_date_to(self) -> dt.date | None:
        return self._date("date_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events_search(data: dict[str, Any]) -> QuerySet[Event]:
    """Events matching the cleaned filters, newest first (exact matches: indexed)."""
    events = Event.objects.order_by("-seq")
    for field in ("actor_kind", "actor", "action", "object_type", "object_ref"):
        value = (data.get(field) or "").strip()
        if value:
            events = events.filter(**{field: value})
    if data.get("date_from"):
        events = events.filter(at__gte=_day_start(data["date_from"]))
    if data.get("date_to"):
        events = events.filter(at__lt=_day_start(data["date_to"] + dt.timedelta(days=1)))
    return events


@dataclass(frozen=True, slots=True)
class EventRow:
    event: Event
    label: str
    before: str
    after: str


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2,
                                                sort_keys=True)


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        return 1


@staff_required(StaffRole.REVIEW)
def audit_search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    number = _page_number(request)
    context: dict[str, Any] = {"form": form, "labels": sorted(LABELS.items())}
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        start = (number - 1) * PAGE_SIZE
        found = list(audit_events_search(data)[start:start + PAGE_SIZE + 1])
        context.update(
            rows=[EventRow(e, LABELS.get(e.action, ""), _pretty(e.before), _pretty(e.after))
                  for e in found[:PAGE_SIZE]],
            page_number=number, has_next=len(found) > PAGE_SIZE, has_previous=number > 1)
    return render(request, "backoffice/audit_search.html", context)


@require_POST
@staff_required(StaffRole.REVIEW)
def audit_verify(request: HttpRequest) -> HttpResponse:
    broken = chain_verify()
    checked = timezone.localtime()
    if broken is None:
        messages.success(request, f"审计日志哈希链完整（校验时间 {checked:%Y-%m-%d %H:%M:%S}）。")
    elif isinstance(broken, int):
        messages.error(request, f"审计日志哈希链断裂：第 {broken} 号事件缺失（已被删除）。")
    else:
        messages.error(request, f"审计日志哈希链断裂：第 {broken.seq} 号事件被修改"
                                f"（{broken.action}）。")
    return redirect("backoffice:audit_search")
