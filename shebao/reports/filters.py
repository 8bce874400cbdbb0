"""The filters of the queries: one form reads them from a page's query string, the API's
parameters and the command's options alike, so each gives the same Chinese error.

A query names the filters it takes (`Query.filters`); the form has only those fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone

from shebao.lib.periods import Month
from shebao.policy.selectors import policy_years

STATUS_CHOICES = [("", "全部"), ("current", "在职"), ("former", "已减员")]
PERSON_MAX = 50


class FilterError(ValueError):
    """Filters that cannot be used; the message is Chinese."""


@dataclass(frozen=True)
class Filters:
    """What a query is asked for. `today` fixes "current" (在职) and the default year."""

    person: str = ""  # a name (part of it) or an ID number (its start)
    status: str = ""  # "" | "current" | "former"
    year: int | None = None  # policy year (缴费年度)
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def month(self) -> Month:
        return Month.of(self.today)

    def described(self) -> list[tuple[str, str]]:
        """The filters set, as (label, value) for a printed header."""
        out = []
        if self.year is not None:
            first, last = year_months(self.year)
            out.append(("缴费年度", f"{self.year}年度（{first.label}至{last.label}）"))
        if self.person:
            out.append(("人员", self.person))
        if self.status:
            out.append(("人员状态", dict(STATUS_CHOICES)[self.status]))
        return out


def year_months(year: int) -> tuple[Month, Month]:
    for fig in policy_years():
        if fig.value == year:
            return fig.first_month, fig.last_month or fig.first_month.add(11)
    raise FilterError(f"{year} 不是已知的缴费年度")


def year_of(month: Month) -> int:
    """The policy year containing `month`, else the latest one that began before it."""
    known = [fig for fig in policy_years() if fig.first_month <= month]
    if not known:
        raise FilterError(f"{month.label}不属于任何缴费年度")
    return int(max(known, key=lambda fig: fig.first_month).value)


def _year_choices() -> list[tuple[str, str]]:
    return [(str(fig.value), f"{fig.value}年度") for fig in reversed(policy_years())]


class FilterForm(forms.Form):
    person = forms.CharField(label="人员", required=False, max_length=PERSON_MAX,
                             help_text="姓名或公民身份号码",
                             error_messages={"max_length": f"人员条件不能超过 {PERSON_MAX} 个字"})
    status = forms.ChoiceField(label="人员状态", required=False, choices=STATUS_CHOICES,
                               error_messages={"invalid_choice": "人员状态应为在职或已减员"})
    year = forms.TypedChoiceField(label="缴费年度", required=False, coerce=int,
                                  empty_value=None, choices=_year_choices,
                                  error_messages={"invalid_choice": "不是已知的缴费年度"})

    def __init__(self, names: Sequence[str], data: Mapping[str, str],
                 today: dt.date | None = None) -> None:
        """`data`: the query string (or API parameters, or options); a year left out is
        the policy year of `today`."""
        self.today = today or timezone.localdate()
        values = {k: str(v) for k, v in data.items() if k in names and v not in (None, "")}
        if "year" in names and "year" not in values:
            values["year"] = str(year_of(Month.of(self.today)))
        super().__init__(values)
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]

    def error_text(self) -> str:
        return "；".join(str(e) for errors in self.errors.values() for e in errors)

    def filters(self) -> Filters:
        """The filters; FilterError with every field's message when one is wrong."""
        if not self.is_valid():
            raise FilterError(self.error_text())
        data = self.cleaned_data
        return Filters(person=(data.get("person") or "").strip(),
                       status=data.get("status") or "", year=data.get("year"),
                       today=self.today)


def filters_read(names: Sequence[str], data: Mapping[str, str],
                 today: dt.date | None = None) -> Filters:
    """The filters of `data`, or FilterError (Chinese)."""
    return FilterForm(names, data, today).filters()
