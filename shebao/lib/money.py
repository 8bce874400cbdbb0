"""Exact money and rates.

Amounts are integer fen (分); rates are integer parts per million (ppm: 16% = 160000).
All conversion and rounding lives here. Rounding is half-up (四舍五入) to the fen, the
rule used by Beijing's collection system for every person, insurance, party and month.
Never float.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

PPM = 1_000_000
_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")
_AMOUNT_RE = re.compile(r"^[+-]?(\d+)(\.\d{1,2})?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class MoneyError(ValueError):
    """A text that is not an amount of money; the message is Chinese, for users."""


def div_half_up(numerator: int, denominator: int) -> int:
    """Integer division rounded half-up (away from zero on ties), exact for any size."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def apply_rates(fen: int, *ppms: int) -> int:
    """fen × rate₁ × rate₂ … rounded half-up once, at the end, to the fen.

    One rounding for the whole product: e.g. base × class rate × floating factor
    (work injury) or base × rate × relief factor (2020 relief) are rounded once.
    """
    numerator = fen
    denominator = 1
    for ppm in ppms:
        numerator *= ppm
        denominator *= PPM
    return div_half_up(numerator, denominator)


def apply_rates_sql(amount: str, ppm: str) -> str:
    """The SQL of `apply_rates(amount, ppm)`: amount × rate rounded half-up to the fen.

    `amount` and `ppm` are SQL expressions (a column, a %(name)s parameter). The rate is
    cast to BIGINT so that PostgreSQL multiplies and divides integers whatever type the
    driver gives a parameter; SQL's integer division truncates, which is half-up for the
    non-negative amounts this serves (a negative product would round differently from
    `div_half_up`). SQLite and PostgreSQL alike.
    """
    return f"({amount} * CAST({ppm} AS BIGINT) + {PPM // 2}) / {PPM}"


def parse_yuan(text: str | int | Decimal) -> int:
    """Parse a yuan amount as typed by a person into fen.

    Tolerates surrounding spaces, full-width digits and thousands separators; refuses
    more than two decimals, letters and empty text with a Chinese message.
    """
    if isinstance(text, int):
        return text * 100
    if isinstance(text, Decimal):
        return decimal_to_fen(text)
    cleaned = text.strip().translate(_FULLWIDTH).replace("¥", "")
    cleaned = cleaned.replace("￥", "").replace("元", "").strip()
    if not cleaned:
        raise MoneyError("金额不能为空")
    if "," in cleaned:
        # "1,23" is a mistyped 1.23 more likely than 123: commas only as thousands separators.
        if not _GROUPED_RE.match(cleaned):
            raise MoneyError(f"“{text.strip()}”不是有效金额（千位分隔符应每三位一个）")
        cleaned = cleaned.replace(",", "")
    if not _AMOUNT_RE.match(cleaned):
        raise MoneyError(f"“{text.strip()}”不是有效金额（最多两位小数）")
    return decimal_to_fen(Decimal(cleaned))


def decimal_to_fen(value: Decimal) -> int:
    """A Decimal yuan amount with at most two decimals, as fen (exact, no rounding)."""
    if not value.is_finite():
        raise MoneyError(f"“{value}”不是有效金额")
    try:
        # Exact: the default 28-digit context would silently round a long amount.
        with localcontext() as ctx:
            ctx.prec = max(ctx.prec, len(value.as_tuple().digits) + 3)
            fen = value * 100
        if fen != fen.to_integral_value():
            raise MoneyError(f"金额 {value} 超过两位小数")
        return int(fen)
    except InvalidOperation as exc:
        raise MoneyError(f"“{value}”不是有效金额") from exc


def fen_to_yuan(fen: int) -> Decimal:
    """fen as a Decimal yuan amount with two places."""
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int) -> str:
    """fen as plain text with two decimals: 1234567 -> '12345.67'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_fen_grouped(fen: int) -> str:
    """fen for display with thousands separators: 1234567 -> '12,345.67'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def percent_to_ppm(text: str | Decimal) -> int:
    """An exact percent ('0.05', '16', '1.083' as a factor is not a percent) as ppm.

    Refuses values that are not a whole number of ppm rather than rounding them.
    """
    value = Decimal(str(text)) * 10_000
    if value != value.to_integral_value():
        raise ValueError(f"percent {text} is finer than one part per million")
    return int(value)


def factor_to_ppm(text: str | Decimal) -> int:
    """An exact factor ('1.083') as ppm (1083000)."""
    value = Decimal(str(text)) * PPM
    if value != value.to_integral_value():
        raise ValueError(f"factor {text} is finer than one part per million")
    return int(value)


def format_ppm_percent(ppm: int) -> str:
    """ppm as a percent for display, without trailing zeros: 160000 -> '16', 2400 -> '0.24'."""
    value = (Decimal(ppm) / 10_000).normalize()
    text = format(value, "f")
    return text
