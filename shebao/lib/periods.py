"""Months (年月), the period every contribution, base and policy figure is keyed by.

In the database a month is the integer YYYYMM (202503): it sorts and compares as months
do and reads as people write it. In code it is a `Month`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．年月", "0123456789-/.-.")
_MONTH_RE = re.compile(r"^(\d{4})[-/.]?(\d{1,2})\.?$")


class PeriodError(ValueError):
    """A text that is not a month; the message is Chinese, for users."""


@dataclass(frozen=True, order=True, slots=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"月份 {self.month} 不在 1 至 12 之间")
        if not 1900 <= self.year <= 2999:
            raise PeriodError(f"年份 {self.year} 不在有效范围内")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse YYYYMM, YYYY-MM, YYYY/MM, YYYY.MM or 2025年3月 (full-width digits too)."""
        cleaned = str(text).strip().translate(_FULLWIDTH)
        m = _MONTH_RE.match(cleaned)
        # "20253." has no separator and a one-digit month; "2025-3" is fine.
        if not m or (len(cleaned) == 6 and cleaned.endswith(".")):
            raise PeriodError(f"“{str(text).strip()}”不是有效的年月，应写作 YYYYMM 或 YYYY-MM")
        if cleaned.isdigit() and len(cleaned) != 6:
            raise PeriodError(f"“{str(text).strip()}”不是有效的年月，应写作 YYYYMM 或 YYYY-MM")
        try:
            return cls(int(m.group(1)), int(m.group(2)))
        except PeriodError as exc:
            raise PeriodError(f"“{str(text).strip()}”不是有效的年月：{exc}") from exc

    @classmethod
    def from_int(cls, value: int) -> Month:
        return cls(value // 100, value % 100)

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def __int__(self) -> int:
        return self.year * 100 + self.month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """Chinese label: 2025年03月."""
        return f"{self.year}年{self.month:02d}月"

    @property
    def index(self) -> int:
        """Months since year 0: differences between months are plain subtraction."""
        return self.year * 12 + self.month - 1

    def add(self, months: int) -> Month:
        i = self.index + months
        return Month(i // 12, i % 12 + 1)

    def __sub__(self, other: Month) -> int:
        return self.index - other.index

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        # Not via add(1): December 2999 has no next Month.
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def month_range(first: Month, last: Month) -> Iterator[Month]:
    """Every month from first to last, both included."""
    for index in range(first.index, last.index + 1):
        yield Month(index // 12, index % 12 + 1)
