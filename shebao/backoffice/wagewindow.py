"""缴费工资申报期: the yearly windows, listed, and a form to set or change one (管理员).

The rules (known policy year, close after open and not before today, no overlap, a
closed window is history) and the audit event are the service's
(declarations.wagewindow.window_set); this page only collects dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from shebao.declarations.models import WageWindow
from shebao.declarations.wagewindow import (
    WindowInvalid,
    day_label,
    settable_years,
    window_set,
    window_span,
    window_state,
    windows_listed,
)
from shebao.lib.dates import DateError, parse_date

from .access import staff_actor, staff_required


class WageWindowForm(forms.Form):
    policy_year = forms.TypedChoiceField(
        label="缴费年度", coerce=int,
        help_text="缴费年度为当年 7 月至次年 6 月；申报的月缴费工资作为该年度的缴费基数",
        error_messages={"required": "请选择缴费年度",
                        "invalid_choice": "“%(value)s”不是可设置申报期的缴费年度"})
    opens_on = forms.CharField(label="申报开始日期", max_length=20,
                               help_text="YYYY-MM-DD，含当日",
                               error_messages={"required": "请填写申报开始日期"})
    closes_on = forms.CharField(label="申报截止日期", max_length=20,
                                help_text="YYYY-MM-DD，含当日；逾期未申报的按上年 110% 核定",
                                error_messages={"required": "请填写申报截止日期"})

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["policy_year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "请选择"), *[(y, f"{y} 缴费年度") for y in years]]
        for name in ("opens_on", "closes_on"):
            self.fields[name].widget.attrs.update(placeholder="YYYY-MM-DD", autocomplete="off")

    def _date(self, name: str) -> dt.date:
        try:
            return parse_date(self.cleaned_data[name])
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_opens_on(self) -> dt.date:
        return self._date("opens_on")

    def clean_closes_on(self) -> dt.date:
        return self._date("closes_on")


def _initial(window: WageWindow | None) -> dict[str, object]:
    if window is None:
        return {}
    return {"policy_year": window.policy_year, "opens_on": window.opens_on.isoformat(),
            "closes_on": window.closes_on.isoformat()}


def _page(request: HttpRequest, form: WageWindowForm, today: dt.date, *,
          editing: WageWindow | None = None, status: int = 200) -> HttpResponse:
    rows = [(w, window_state(w, today), window_span(w)) for w in windows_listed()]
    return render(request, "backoffice/wage_windows.html", {
        "form": form, "rows": rows, "today_label": day_label(today), "editing": editing},
        status=status)


@require_http_methods(["GET", "POST"])
@staff_required()
def wage_windows(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = settable_years(today)
    if request.method == "GET":
        editing = None
        year = request.GET.get("year", "")
        if year.isdigit():
            editing = WageWindow.objects.filter(policy_year=int(year)).first()
            if editing is not None and editing.closes_on < today:
                messages.error(request, f"{editing.policy_year} 年度的申报期已经结束，不能再修改")
                editing = None
        return _page(request, WageWindowForm(initial=_initial(editing), years=years), today,
                     editing=editing)
    form = WageWindowForm(request.POST, years=years)
    if not form.is_valid():
        return _page(request, form, today, status=400)
    data = form.cleaned_data
    existed = WageWindow.objects.filter(policy_year=data["policy_year"]).exists()
    try:
        window = window_set(policy_year=data["policy_year"], opens_on=data["opens_on"],
                            closes_on=data["closes_on"], actor=staff_actor(request),
                            today=today)
    except WindowInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _page(request, form, today, status=400)
    verb = "已修改" if existed else "已设置"
    messages.success(request, f"{verb} {window.policy_year} 缴费年度缴费工资申报期："
                              f"{window_span(window)}")
    return redirect("backoffice:wage_windows")
