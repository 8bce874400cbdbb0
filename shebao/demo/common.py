"""Small helpers shared by the demo generator modules: months as indexes, weighted picks."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

# Beijing time: timestamps of demo rows are set at 09:00 local time of a date.
BEIJING = dt.timezone(dt.timedelta(hours=8))


def mindex(yyyymm: int) -> int:
    """A YYYYMM month as a month index (months since year 0), so spans are subtraction."""
    return (yyyymm // 100) * 12 + yyyymm % 100 - 1


def yyyymm(index: int) -> int:
    """A month index back as YYYYMM."""
    return (index // 12) * 100 + index % 12 + 1


def month_start(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def stamp(day: dt.date) -> dt.datetime:
    """09:00 Beijing time on `day`: a deterministic timestamp for created/recorded fields."""
    return dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=BEIJING)


class Weighted(Generic[T]):
    """Fast repeated weighted choice from a fixed list."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.values = [v for v, _ in items]
        self.cum = list(itertools.accumulate(w for _, w in items))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect_right(self.cum, rng.random() * self.total)]


def digits(rng: random.Random, n: int) -> str:
    return f"{rng.randrange(10 ** n):0{n}d}"


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
