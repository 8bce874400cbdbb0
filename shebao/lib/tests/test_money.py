"""Exact money: integer fen, ppm rates, half-up rounding, parsing what people type."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from shebao.lib.money import (
    PPM,
    MoneyError,
    apply_rates,
    apply_rates_sql,
    decimal_to_fen,
    div_half_up,
    factor_to_ppm,
    fen_to_yuan,
    format_fen,
    format_fen_grouped,
    format_ppm_percent,
    parse_yuan,
    percent_to_ppm,
)

fens = st.integers(-(10**15), 10**15)  # ±10 trillion yuan
any_fens = st.integers()  # unbounded: exactness must not depend on size
rates = st.integers(0, 2 * PPM)


def exact_half_up(value: Fraction) -> int:
    """Reference rounding with Decimal at a precision that cannot lose digits."""
    with localcontext() as ctx:
        ctx.prec = 1000
        quotient = Decimal(value.numerator) / Decimal(value.denominator)
        return int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- div_half_up ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (0, 7, 0),
        (10, 5, 2),
        (1, 3, 0),
        (2, 3, 1),
        (4, 3, 1),
        (5, 3, 2),
        (1, 2, 1),  # tie: up
        (3, 2, 2),
        (5, 2, 3),
        (-1, 2, -1),  # tie: away from zero
        (-5, 2, -3),
        (-1, 3, 0),
        (-2, 3, -1),
        (149, 100, 1),
        (150, 100, 2),
        (-150, 100, -2),
        (10**40 + 5, 10, 10**39 + 1),
    ],
)
def test_div_half_up(numerator: int, denominator: int, expected: int) -> None:
    assert div_half_up(numerator, denominator) == expected


@pytest.mark.parametrize("denominator", [0, -1, -100])
def test_div_half_up_needs_a_positive_denominator(denominator: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        div_half_up(1, denominator)


@given(any_fens, st.integers(1, 10**12))
def test_div_half_up_is_decimal_round_half_up(numerator: int, denominator: int) -> None:
    assert div_half_up(numerator, denominator) == exact_half_up(Fraction(numerator, denominator))


@given(any_fens, st.integers(1, 10**12))
def test_div_half_up_is_nearest_and_symmetric(numerator: int, denominator: int) -> None:
    q = div_half_up(numerator, denominator)
    assert 2 * abs(numerator - q * denominator) <= denominator
    assert div_half_up(-numerator, denominator) == -q


@given(any_fens, st.integers(1, 10**12))
def test_div_half_up_of_a_multiple_is_exact(k: int, denominator: int) -> None:
    assert div_half_up(k * denominator, denominator) == k


# --- apply_rates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "ppms", "expected"),
    [
        (123456, (), 123456),
        (500000, (160000,), 80000),  # 5000 yuan × 16%
        (500000, (80000,), 40000),  # × 8%
        (12345, (160000,), 1975),  # 1975.2
        (12347, (160000,), 1976),  # 1975.52
        (3, (500000,), 2),  # 1.5: tie up
        (-3, (500000,), -2),  # -1.5: away from zero
        (1, (499999,), 0),
        (3513900, (200, 1_500_000), 1054),  # work injury: base × 0.02% × 1.5 = 1054.17
        (0, (160000, 1_100_000), 0),
        (1, (PPM, PPM, PPM), 1),
    ],
)
def test_apply_rates(fen: int, ppms: tuple[int, ...], expected: int) -> None:
    assert apply_rates(fen, *ppms) == expected


def test_apply_rates_rounds_once_at_the_end() -> None:
    # 333 × 0.15% = 0.4995 → 0 if rounded early; × 1.002 = 0.500499 → 1 rounded once.
    assert apply_rates(333, 1500, 1_002_000) == 1
    assert apply_rates(apply_rates(333, 1500), 1_002_000) == 0


@given(any_fens, st.lists(rates, max_size=4))
def test_apply_rates_is_exact_decimal_arithmetic(fen: int, ppms: list[int]) -> None:
    with localcontext() as ctx:
        ctx.prec = 1000
        product = Decimal(fen)
        for ppm in ppms:
            product *= Decimal(ppm) / PPM
        expected = int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert apply_rates(fen, *ppms) == expected


@given(fens, rates)
def test_apply_rates_is_monotonic_in_the_base(fen: int, ppm: int) -> None:
    assert apply_rates(fen, ppm) <= apply_rates(fen + 1, ppm)


# Amounts (non-negative, as the SQL serves: wages, bases, balances) and rates whose
# product ends just below, on and just above a half fen, up to sizes near BIGINT's.
SQL_EDGES = [
    (0, 1_100_000), (1, 499_999), (1, 500_000), (1, 500_001), (3, 1_500_000),
    (5, 100_000), (7, 80_000), (12_345, 1_100_000), (999_999, 999_999),
    (10**12 + 5, 100_000), (10**12 + 4, 125_000), (10**12 + 5, 99_999),
    (999_999_999_999, 1_100_001), (10**12, 2_000_000), (4_611_686_018_427, 1_999_999),
]


@pytest.mark.django_db
def test_apply_rates_sql_agrees_with_apply_rates_on_the_database() -> None:
    # The amount as a BIGINT, like the columns the fragment is used on.
    sql = "SELECT " + apply_rates_sql("CAST(%(fen)s AS BIGINT)", "%(ppm)s")
    with connection.cursor() as cursor:
        for fen, ppm in SQL_EDGES:
            cursor.execute(sql, {"fen": fen, "ppm": ppm})
            assert cursor.fetchone()[0] == apply_rates(fen, ppm), (fen, ppm)


def test_apply_rates_sql_text() -> None:
    assert apply_rates_sql("prev.wage", "%(ppm)s") == (
        "(prev.wage * CAST(%(ppm)s AS BIGINT) + 500000) / 1000000")


# --- parse_yuan -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100", 10000),
        ("0", 0),
        ("0.01", 1),
        ("100.5", 10050),
        ("100.05", 10005),
        ("100.50", 10050),
        ("007", 700),
        ("+5", 500),
        ("-5.00", -500),
        ("-0.01", -1),
        ("  1234.56  ", 123456),
        ("\u30001234.56\u3000", 123456),  # ideographic spaces
        ("\t1234.56\n", 123456),
        ("１２３４．５６", 123456),  # full-width digits and point
        ("－１２．３", -1230),
        ("1,234.56", 123456),
        ("12,345,678.90", 1234567890),
        ("１，２３４", 123400),  # full-width comma
        ("-1,000", -100000),
        ("¥100", 10000),
        ("￥ 1,000.00", 100000),
        ("100元", 10000),
        ("1,000 元", 100000),
        ("¥１００元", 10000),
        (12, 1200),
        (-3, -300),
        (Decimal("1.20"), 120),
        (Decimal("12.3"), 1230),
        (Decimal("-0.05"), -5),
        (Decimal("1E+2"), 10000),
    ],
)
def test_parse_yuan_accepts(text: str | int | Decimal, expected: int) -> None:
    assert parse_yuan(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "金额不能为空"),
        ("   ", "金额不能为空"),
        ("¥", "金额不能为空"),
        ("元", "金额不能为空"),
        ("1.234", "“1.234”不是有效金额（最多两位小数）"),
        ("0.001", "最多两位小数"),
        ("abc", "“abc”不是有效金额"),
        ("12a", "不是有效金额"),
        ("1e5", "不是有效金额"),
        ("1.2.3", "不是有效金额"),
        ("--5", "不是有效金额"),
        ("5-", "不是有效金额"),
        ("1 234", "不是有效金额"),
        ("NaN", "不是有效金额"),
        ("Infinity", "不是有效金额"),
        ("一百", "不是有效金额"),
        ("1,23", "“1,23”不是有效金额（千位分隔符应每三位一个）"),  # a mistyped 1.23
        ("1,2345", "千位分隔符"),
        ("12,34,567", "千位分隔符"),
        (",100", "千位分隔符"),
        ("1,000.5,0", "千位分隔符"),
        ("1,000.123", "最多两位小数"),
        (Decimal("1.234"), "金额 1.234 超过两位小数"),
        (Decimal("NaN"), "不是有效金额"),
        (Decimal("sNaN"), "不是有效金额"),
        (Decimal("Infinity"), "不是有效金额"),
        (Decimal("-Infinity"), "不是有效金额"),
    ],
)
def test_parse_yuan_refuses(text: str | Decimal, fragment: str) -> None:
    with pytest.raises(MoneyError) as info:
        parse_yuan(text)
    assert fragment in str(info.value)


def test_money_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="金额"):
        parse_yuan("x")


def test_parse_yuan_is_exact_beyond_28_digits() -> None:
    # The default Decimal context has 28 digits; a long amount must not be rounded.
    assert parse_yuan("10000000000000000000000000000.01") == 10**30 + 1
    assert decimal_to_fen(Decimal("12345678901234567890123456789.99")) == (
        1234567890123456789012345678999
    )


@given(any_fens)
def test_parse_yuan_reads_format_fen(fen: int) -> None:
    assert parse_yuan(format_fen(fen)) == fen


@given(any_fens)
def test_parse_yuan_reads_format_fen_grouped(fen: int) -> None:
    assert parse_yuan(format_fen_grouped(fen)) == fen


@given(fens)
def test_decimal_to_fen_reads_fen_to_yuan(fen: int) -> None:
    assert decimal_to_fen(fen_to_yuan(fen)) == fen
    assert parse_yuan(fen_to_yuan(fen)) == fen


# --- formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fen", "plain", "grouped", "yuan"),
    [
        (0, "0.00", "0.00", "0.00"),
        (1, "0.01", "0.01", "0.01"),
        (-1, "-0.01", "-0.01", "-0.01"),
        (100, "1.00", "1.00", "1.00"),
        (-100, "-1.00", "-1.00", "-1.00"),
        (123456, "1234.56", "1,234.56", "1234.56"),
        (-123456, "-1234.56", "-1,234.56", "-1234.56"),
        (1234567, "12345.67", "12,345.67", "12345.67"),
        (123456789, "1234567.89", "1,234,567.89", "1234567.89"),
        (100000000, "1000000.00", "1,000,000.00", "1000000.00"),
    ],
)
def test_formats(fen: int, plain: str, grouped: str, yuan: str) -> None:
    assert format_fen(fen) == plain
    assert format_fen_grouped(fen) == grouped
    assert fen_to_yuan(fen) == Decimal(yuan)
    assert str(fen_to_yuan(fen)) == yuan


@given(fens)
def test_fen_to_yuan_has_two_places(fen: int) -> None:
    yuan = fen_to_yuan(fen)
    assert yuan.as_tuple().exponent == -2
    assert yuan * 100 == fen


# --- rates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ppm"),
    [
        ("16", 160000),
        ("8", 80000),
        ("0.24", 2400),
        ("0.5", 5000),
        ("0.0001", 1),
        ("0", 0),
        ("100", 1000000),
        (Decimal("10.5"), 105000),
    ],
)
def test_percent_to_ppm(text: str | Decimal, ppm: int) -> None:
    assert percent_to_ppm(text) == ppm


@pytest.mark.parametrize(
    ("text", "ppm"),
    [("1.083", 1083000), ("1", 1000000), ("0.5", 500000), ("1.000001", 1000001)],
)
def test_factor_to_ppm(text: str, ppm: int) -> None:
    assert factor_to_ppm(text) == ppm


@pytest.mark.parametrize(
    ("func", "text"), [(percent_to_ppm, "0.00001"), (factor_to_ppm, "1.0000001")]
)
def test_rates_finer_than_one_ppm_are_refused(func, text: str) -> None:
    with pytest.raises(ValueError, match="finer than one part per million"):
        func(text)


@pytest.mark.parametrize(
    ("ppm", "text"),
    [(160000, "16"), (2400, "0.24"), (0, "0"), (1000000, "100"), (5, "0.0005"), (123, "0.0123")],
)
def test_format_ppm_percent(ppm: int, text: str) -> None:
    assert format_ppm_percent(ppm) == text


@given(st.integers(-(10**12), 10**12))
def test_percent_to_ppm_reads_format_ppm_percent(ppm: int) -> None:
    assert percent_to_ppm(format_ppm_percent(ppm)) == ppm


@given(st.integers(-(10**12), 10**12))
def test_factor_to_ppm_is_exact(ppm: int) -> None:
    assert factor_to_ppm(Decimal(ppm) / PPM) == ppm
