"""Months (年月): parsing what people type, arithmetic, calendar edges."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.lib.periods import Month, PeriodError, month_range

FIRST = Month(1900, 1)
LAST = Month(2999, 12)
months = st.builds(Month, st.integers(1900, 2999), st.integers(1, 12))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("202503", Month(2025, 3)),
        ("2025-03", Month(2025, 3)),
        ("2025/03", Month(2025, 3)),
        ("2025.03", Month(2025, 3)),
        ("2025-3", Month(2025, 3)),
        ("2025/3", Month(2025, 3)),
        ("2025.3", Month(2025, 3)),
        ("2025年3月", Month(2025, 3)),
        ("2025年03月", Month(2025, 3)),
        ("2025年12月", Month(2025, 12)),
        ("2025年3", Month(2025, 3)),
        ("２０２５年３月", Month(2025, 3)),
        ("２０２５０３", Month(2025, 3)),
        ("２０２５－０３", Month(2025, 3)),
        ("２０２５／１１", Month(2025, 11)),
        ("  202503  ", Month(2025, 3)),
        ("\u30002025-03\u3000", Month(2025, 3)),
        ("190001", FIRST),
        ("2999-12", LAST),
        (202503, Month(2025, 3)),
    ],
)
def test_parse_accepts(text: str, expected: Month) -> None:
    assert Month.parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "不是有效的年月，应写作 YYYYMM 或 YYYY-MM"),
        ("   ", "应写作 YYYYMM 或 YYYY-MM"),
        ("2025", "“2025”不是有效的年月"),
        ("20253", "“20253”不是有效的年月"),
        ("2025003", "不是有效的年月"),
        ("20253.", "不是有效的年月"),
        ("25-03", "不是有效的年月"),
        ("2025-03-01", "不是有效的年月"),
        ("2025--03", "不是有效的年月"),
        ("2025-003", "不是有效的年月"),
        ("2025 03", "不是有效的年月"),
        ("March 2025", "不是有效的年月"),
        ("二〇二五年三月", "不是有效的年月"),
        ("2025-13", "月份 13 不在 1 至 12 之间"),
        ("202500", "月份 0 不在 1 至 12 之间"),
        ("2025年0月", "月份 0"),
        ("189912", "年份 1899 不在有效范围内"),
        ("3000-01", "年份 3000 不在有效范围内"),
    ],
)
def test_parse_refuses(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as info:
        Month.parse(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("year", "month", "fragment"),
    [(2025, 0, "月份 0"), (2025, 13, "月份 13"), (1899, 12, "年份 1899"), (3000, 1, "年份 3000")],
)
def test_constructor_refuses_out_of_range(year: int, month: int, fragment: str) -> None:
    with pytest.raises(PeriodError, match=fragment):
        Month(year, month)


def test_period_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="年月"):
        Month.parse("x")


def test_representations() -> None:
    m = Month(2025, 3)
    assert str(m) == "2025-03"
    assert int(m) == 202503
    assert m.label == "2025年03月"
    assert Month.from_int(202503) == m
    assert Month.of(dt.date(2025, 3, 31)) == m
    assert m.first_day() == dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("month", "last"),
    [
        (Month(2025, 1), dt.date(2025, 1, 31)),
        (Month(2025, 2), dt.date(2025, 2, 28)),
        (Month(2024, 2), dt.date(2024, 2, 29)),
        (Month(2000, 2), dt.date(2000, 2, 29)),
        (Month(1900, 2), dt.date(1900, 2, 28)),
        (Month(2025, 4), dt.date(2025, 4, 30)),
        (Month(2025, 12), dt.date(2025, 12, 31)),
        (LAST, dt.date(2999, 12, 31)),  # no Month after it
    ],
)
def test_last_day(month: Month, last: dt.date) -> None:
    assert month.last_day() == last


@pytest.mark.parametrize(
    ("start", "k", "expected"),
    [
        (Month(2025, 3), 0, Month(2025, 3)),
        (Month(2025, 3), 1, Month(2025, 4)),
        (Month(2025, 12), 1, Month(2026, 1)),
        (Month(2025, 1), -1, Month(2024, 12)),
        (Month(2025, 1), -13, Month(2023, 12)),
        (Month(2025, 3), 24, Month(2027, 3)),
        (Month(2025, 3), 10, Month(2026, 1)),
        (FIRST, 1099 * 12 + 11, LAST),
    ],
)
def test_add(start: Month, k: int, expected: Month) -> None:
    assert start.add(k) == expected
    assert expected - start == k


@pytest.mark.parametrize(("start", "k"), [(LAST, 1), (FIRST, -1)])
def test_add_beyond_the_range_is_refused(start: Month, k: int) -> None:
    with pytest.raises(PeriodError):
        start.add(k)


def test_months_order_like_their_integers() -> None:
    shuffled = [Month(2025, 1), Month(2024, 12), Month(2025, 10), Month(2024, 2)]
    assert sorted(shuffled) == [Month(2024, 2), Month(2024, 12), Month(2025, 1), Month(2025, 10)]
    assert Month(2024, 12) < Month(2025, 1)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (Month(2024, 11), Month(2025, 2), ["2024-11", "2024-12", "2025-01", "2025-02"]),
        (Month(2025, 3), Month(2025, 3), ["2025-03"]),
        (Month(2025, 3), Month(2025, 2), []),
        (Month(2999, 11), LAST, ["2999-11", "2999-12"]),  # stops without a Month(3000, 1)
    ],
)
def test_month_range(first: Month, last: Month, expected: list[str]) -> None:
    assert [str(m) for m in month_range(first, last)] == expected


@given(months)
def test_parse_reads_str_int_and_label(m: Month) -> None:
    assert Month.parse(str(m)) == m
    assert Month.parse(str(int(m))) == m
    assert Month.parse(m.label) == m
    assert Month.from_int(int(m)) == m


@given(months, st.data())
def test_add_then_subtract(m: Month, data: st.DataObject) -> None:
    k = data.draw(st.integers(FIRST - m, LAST - m))
    assert m.add(k) - m == k
    assert m.add(k).add(-k) == m


@given(months, months)
def test_order_agrees_with_int_and_index(a: Month, b: Month) -> None:
    assert (a < b) == (int(a) < int(b)) == (a - b < 0)


@given(months)
def test_last_day_is_the_day_before_the_next_first_day(m: Month) -> None:
    last = m.last_day()
    assert (last.year, last.month) == (m.year, m.month)
    assert (last + dt.timedelta(days=1)).day == 1
    assert Month.of(last) == Month.of(m.first_day()) == m


@given(months, months)
def test_month_range_is_consecutive_and_complete(a: Month, b: Month) -> None:
    result = list(month_range(a, b))
    assert len(result) == max(0, b - a + 1)
    assert all(y - x == 1 for x, y in pairwise(result))
    if result:
        assert (result[0], result[-1]) == (a, b)
