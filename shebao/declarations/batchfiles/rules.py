"""Rules that need no registry: months against the declaration calendar, retirement age,
duplicates within the file. Pure functions over parsed rows; they only add errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from shebao.lib.periods import Month
from shebao.lib.spreadsheets import Cell
from shebao.policy.retirement import retirement_age_months

from .cells import cell_text
from .errors import RowError
from .kinds import FileKind

# [decision] 增员/减员 may be declared up to this many months ahead of the month in which
# they can first take effect; a later month is almost always a typing slip.
MONTHS_AHEAD = 3
# [decision] back-payments reach back to 2004-11, the first month of monthly records.
BACKPAY_EARLIEST = Month(2004, 11)


@dataclass
class ParsedRow:
    """One data row: its cells by field, the clean values that parsed, its errors."""

    row: int
    kind: FileKind
    cells: dict[str, Cell]
    values: dict[str, object] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    def error(self, field_name: str, code: str, message: str) -> None:
        self.errors.append(self._entry(field_name, code, message))

    def warn(self, field_name: str, code: str, message: str) -> None:
        self.warnings.append(self._entry(field_name, code, message))

    def _entry(self, field_name: str, code: str, message: str) -> RowError:
        column = self.kind.header(field_name)
        return RowError(self.row, column, cell_text(self.cells.get(field_name)), code, message)

    def month(self, field_name: str) -> Month | None:
        value = self.values.get(field_name)
        return value if isinstance(value, Month) else None


@dataclass
class RuleContext:
    as_of: dt.date
    cutoff_day: int

    @cached_property
    def current(self) -> Month:
        return Month.of(self.as_of)

    @cached_property
    def latest(self) -> Month:
        """The last month a 增员/减员 may name: MONTHS_AHEAD after `effective`."""
        return self.effective.add(MONTHS_AHEAD)

    @cached_property
    def effective(self) -> Month:
        """The first month a 增员/减员 declared on `as_of` can take effect.

        [decision] (DOMAIN.md) declared by the cut-off day: this month; later: next month.
        """
        return self.current if self.as_of.day <= self.cutoff_day else self.current.add(1)

    def effective_reason(self) -> str:
        if self.as_of.day <= self.cutoff_day:
            return (f"{self.as_of.isoformat()} 未过本月 {self.cutoff_day} 日的申报截止日，"
                    "申报自当月起生效")
        return (f"本月 {self.cutoff_day} 日的申报截止日已过（申报日 {self.as_of.isoformat()}），"
                "申报自下月起生效")


def row_rules(row: ParsedRow, ctx: RuleContext) -> None:
    code = row.kind.code
    if code == "add":
        _effective_window(row, "start", ctx, "更早的月份请按补缴办理")
        _retirement(row)
    elif code == "remove":
        _effective_window(row, "end", ctx, "更早的月份请联系经办机构办理")
    elif code == "backpay":
        _backpay_months(row, ctx)


def _effective_window(row: ParsedRow, field_name: str, ctx: RuleContext, earlier: str) -> None:
    month = row.month(field_name)
    if month is None:
        return
    earliest, latest = ctx.effective, ctx.latest
    if month < earliest:
        row.error(field_name, "month_too_early",
                  f"{row.kind.header(field_name)} {month.label} 早于最早可申报月份 "
                  f"{earliest.label}：{ctx.effective_reason()}；{earlier}")
    elif month > latest:
        row.error(field_name, "month_too_late",
                  f"{row.kind.header(field_name)} {month.label} 晚于最晚可申报月份 {latest.label}"
                  f"（最多提前 {MONTHS_AHEAD} 个月申报）")


def _backpay_months(row: ParsedRow, ctx: RuleContext) -> None:
    start, end = row.month("start"), row.month("end")
    for field_name, month in (("start", start), ("end", end)):
        if month is None:
            continue
        label = row.kind.header(field_name)
        if month < BACKPAY_EARLIEST:
            row.error(field_name, "month_too_early",
                      f"{label} {month.label} 早于 {BACKPAY_EARLIEST.label}："
                      "补缴最早可到 2004 年 11 月")
        elif month >= ctx.current:
            row.error(field_name, "month_too_late",
                      f"{label} {month.label} 不早于本月（{ctx.current.label}）："
                      "补缴只能补本月以前的月份，本月及以后按正常缴费办理")
    if start is not None and end is not None and start > end:
        row.error("end", "month_order", f"终止年月 {end.label} 早于起始年月 {start.label}")


# --- retirement age --------------------------------------------------------------------

# The ages by birth cohort, with the 2025 gradual reform, are data
# (policy/data/retirement_age.csv).
# [decision] Every woman is treated as retiring at the cadre age (55, plus the reform):
# occupation (worker 50 / cadre 55) is not in the file or the registry, and refusing a
# 50-year-old worker would be the worse mistake; staff review catches the rest.
_CATEGORY = {"M": "", "F": "cadre"}


def birth_month(id18: str) -> Month:
    """Year and month of birth: characters 7–12 of a normalized ID (GB 11643-1999 §5.2)."""
    return Month(int(id18[6:10]), int(id18[10:12]))


def sex_of(id18: str) -> str:
    """'M' when the sequence code (character 17) is odd, else 'F'."""
    return "M" if int(id18[16]) % 2 else "F"


def retirement_month(id_number: str) -> tuple[Month, int, int]:
    """Month in which the person reaches the statutory retirement age, and that age
    (years, extra months). `id_number` is a normalized 18-digit ID."""
    birth, sex = birth_month(id_number), sex_of(id_number)
    age_months = retirement_age_months(sex, _CATEGORY[sex], birth)
    return birth.add(age_months), age_months // 12, age_months % 12


def _retirement(row: ParsedRow) -> None:
    id_number, start = row.values.get("id_number"), row.month("start")
    if not isinstance(id_number, str) or start is None:
        return
    reached, years, months = retirement_month(id_number)
    if start >= reached:
        sex = "男" if sex_of(id_number) == "M" else "女"
        age = f"{years} 岁" + (f" {months} 个月" if months else "")
        row.error("start", "retirement_age",
                  f"该人员（{sex}，{birth_month(id_number).label}出生）于 {reached.label}"
                  f"达到法定退休年龄 {age}，起始年月 {start.label} 不能办理增员")


# --- duplicates ------------------------------------------------------------------------


def duplicate_rules(rows: list[ParsedRow]) -> None:
    """The same person twice: an error on every repeat (back-pay: overlapping periods)."""
    first_seen: dict[str, ParsedRow] = {}
    periods: dict[str, list[tuple[Month, Month, int]]] = {}
    for row in rows:
        id_number = row.values.get("id_number")
        if not isinstance(id_number, str):
            continue
        if row.kind.code == "backpay":
            _overlap(row, id_number, periods)
        elif id_number in first_seen:
            row.error("id_number", "duplicate_in_file",
                      f"身份证号码与第 {first_seen[id_number].row} 行重复，同一人员只能出现一次")
        else:
            first_seen[id_number] = row


def _overlap(row: ParsedRow, id_number: str,
             periods: dict[str, list[tuple[Month, Month, int]]]) -> None:
    start, end = row.month("start"), row.month("end")
    if start is None or end is None or start > end:
        return
    seen = periods.setdefault(id_number, [])
    clash = next((r for s, e, r in seen if s <= end and start <= e), None)
    if clash is not None:
        row.error("id_number", "duplicate_in_file",
                  f"该人员的补缴期间与第 {clash} 行重叠，同一月份只能补缴一次")
    seen.append((start, end, row.row))
