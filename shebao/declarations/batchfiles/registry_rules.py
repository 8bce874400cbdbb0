"""Rules against the registry, for a file declared by one unit.

Set-based: the persons of every ID in the file are read in one query per chunk of IDs,
their enrolments in one query per chunk of persons found (chunks keep each IN list well
under the parameter limits of SQLite and PostgreSQL). A file of up to 5,000 rows costs
two queries whatever its size; 100,000 rows cost 20 for persons plus one per 5,000
persons found. A 补缴 file adds one query per 5,000 persons for the months already
billed (billed.py). Messages never name another unit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from shebao.lib.periods import Month
from shebao.policy.selectors import policy_years
from shebao.registry.choices import Hukou, StartReason
from shebao.registry.models import Enrolment, Person, Unit

from ..wagewindow import window_open_on
from .billed import billed_message, billed_months
from .errors import FileRefused
from .rules import ParsedRow, RuleContext

CHUNK = 5_000
T = TypeVar("T")


@dataclass
class Facts:
    """What the registry knows of one person, as far as these rules need."""

    pk: int
    name: str
    hukou: str
    here: list[tuple[int, int | None]] = field(default_factory=list)  # this unit's periods
    open_elsewhere: bool = False
    closed_last: int | None = None  # latest last month of any ended enrolment

    @property
    def open_here(self) -> list[int]:
        return [first for first, last in self.here if last is None]

    @property
    def ever_enrolled(self) -> bool:
        return bool(self.here) or self.open_elsewhere or self.closed_last is not None


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def registry_facts(id_numbers: list[str], unit: Unit) -> dict[str, Facts]:
    """Facts of the persons the registry knows among `id_numbers`, keyed by ID."""
    facts: dict[str, Facts] = {}
    by_pk: dict[int, Facts] = {}
    for chunk in _chunks(sorted(set(id_numbers))):
        for pk, id_number, name, hukou in Person.objects.filter(
                id_number__in=chunk).values_list("pk", "id_number", "name", "hukou"):
            by_pk[pk] = facts[id_number] = Facts(pk=pk, name=name, hukou=hukou)
    # Only the persons found can have enrolments: new people (most of an 增员 file) cost
    # nothing here.
    for pks in _chunks(sorted(by_pk)):
        enrolments = Enrolment.objects.filter(person_id__in=pks).values_list(
            "person_id", "unit_id", "first_month", "last_month")
        for person_id, unit_id, first, last in enrolments:
            _add_enrolment(by_pk[person_id], unit_id == unit.pk, first, last)
    return facts


def _add_enrolment(f: Facts, here: bool, first: int, last: int | None) -> None:
    # One row per insurance: the same period appears several times, which is harmless.
    if here:
        f.here.append((first, last))
    elif last is None:
        f.open_elsewhere = True
    if last is not None:
        f.closed_last = max(last, f.closed_last or last)


def registry_rules(rows: list[ParsedRow], unit: Unit, ctx: RuleContext) -> None:
    """Add the registry's errors and warnings to rows whose ID parsed."""
    ids = [r.values["id_number"] for r in rows if isinstance(r.values.get("id_number"), str)]
    facts = registry_facts([str(i) for i in ids], unit)
    code = rows[0].kind.code if rows else ""
    year = _policy_year(ctx) if code == "wage" else None
    backpay: list[tuple[int, int, Month, Month]] = []  # (row index, person, period)
    for index, row in enumerate(rows):
        id_number = row.values.get("id_number")
        if not isinstance(id_number, str):
            continue
        f = facts.get(id_number)
        if code == "add":
            _add(row, f)
            continue
        if f is None:
            row.error("id_number", "person_unknown",
                      "社保登记中没有该身份证号码的人员，请核对号码；新参保人员请先办理增员")
            continue
        _name(row, f)
        if code == "remove":
            _remove(row, f)
        elif code == "wage" and year is not None:
            _wage(row, f, year)
        elif code == "backpay":
            _backpay(index, row, f, backpay)
    if backpay:
        for index, months in billed_months(unit.pk, backpay).items():
            rows[index].error("start", "month_already_billed", billed_message(months))


def _backpay(index: int, row: ParsedRow, f: Facts,
             periods: list[tuple[int, int, Month, Month]]) -> None:
    """Never enrolled here: refused now; otherwise the period is kept to be checked
    against the months already billed, all rows in one query."""
    if not f.here:
        row.error("id_number", "never_enrolled_here",
                  "该人员从未在本单位参保，不能由本单位补缴")
        return
    start, end = row.month("start"), row.month("end")
    if start is not None and end is not None and start <= end:
        periods.append((index, f.pk, start, end))


def _name(row: ParsedRow, f: Facts) -> None:
    name = row.values.get("name")
    if isinstance(name, str) and name != f.name:
        row.error("name", "name_mismatch", "姓名与该身份证号码的登记姓名不一致，请核对；"
                  "如姓名已变更，请先办理个人信息变更")


def _add(row: ParsedRow, f: Facts | None) -> None:
    reason = row.values.get("reason")
    if f is None:
        if reason == StartReason.RESUME:
            row.error("reason", "resume_without_history",
                      "增员原因为“续保”，但该人员没有以往参保记录，应为“新参保”")
        return
    _name(row, f)
    if f.open_here:
        first = Month.from_int(min(f.open_here))
        row.error("id_number", "already_enrolled",
                  f"该人员已在本单位参保（自 {first.label}起），不能重复增员")
    elif f.open_elsewhere:
        row.error("id_number", "enrolled_elsewhere",
                  "该人员在其他单位仍在参保，须原单位先办理减员（转出）后才能增员")
    elif reason == StartReason.RESUME and f.closed_last is None:
        row.error("reason", "resume_without_history",
                  "增员原因为“续保”，但该人员没有以往参保记录，应为“新参保”")
    start = row.month("start")
    if start is not None and f.closed_last is not None and int(start) <= f.closed_last:
        row.error("start", "period_overlap",
                  f"起始年月 {start.label} 应晚于该人员上一段参保的终止年月 "
                  f"{Month.from_int(f.closed_last).label}")
    if reason == StartReason.NEW and f.ever_enrolled:
        row.warn("reason", "reason_mismatch", "该人员曾参保，增员原因一般应为“续保”或“转入”")
    hukou = row.values.get("hukou")
    if isinstance(hukou, str) and hukou != f.hukou:
        row.warn("hukou", "hukou_differs", f"户口性质与登记信息（{Hukou(f.hukou).label}）不一致，"
                 "变更户口性质需另行办理个人信息变更并经审核")


def _remove(row: ParsedRow, f: Facts) -> None:
    if not f.open_here:
        row.error("id_number", "not_enrolled_here", "该人员目前未在本单位参保，不能减员")
        return
    end, first = row.month("end"), Month.from_int(max(f.open_here))
    if end is not None and end < first:
        row.error("end", "month_before_start",
                  f"终止年月 {end.label} 早于该人员在本单位的参保起始年月 {first.label}")


def _wage(row: ParsedRow, f: Facts, year: tuple[int, Month, Month]) -> None:
    label, first, last = year
    inside = any(s <= int(last) and (e is None or e >= int(first)) for s, e in f.here)
    if not inside:
        row.error("id_number", "not_enrolled_in_year",
                  f"该人员在 {label} 缴费年度（{first.label}至{last.label}）未在本单位参保，"
                  "不能申报缴费工资")


def _policy_year(ctx: RuleContext) -> tuple[int, Month, Month]:
    """The policy year (缴费年度) a wage declaration made on the declaration date is for:
    that of the declaration window open then, else the one containing the date."""
    window = window_open_on(ctx.as_of)
    month = ctx.current
    for fig in policy_years():
        if window is not None and fig.value == window.policy_year:
            return fig.value, fig.first_month, fig.last_month or month
        if window is None and fig.first_month <= month and (
                fig.last_month is None or month <= fig.last_month):
            return fig.value, fig.first_month, fig.last_month or month
    raise FileRefused("policy_year_unknown", f"{month.label}不属于任何缴费年度，请联系经办机构")
