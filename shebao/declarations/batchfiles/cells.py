"""Cell values as read (text from CSV; text, numbers or dates from Excel) made exact.

Numbers from Excel arrive as floats. They are converted through their shortest decimal
representation, `Decimal(repr(value))`, which is exactly what Excel wrote in the file;
no arithmetic is ever done on the float.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from shebao.lib.spreadsheets import Cell

from .errors import CellError

# Spaces people leave around values: ASCII, full-width (U+3000), no-break, zero-width.
_EDGE = " \t\r\n\u3000\u00a0\u200b\ufeff"
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


def is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def cell_text(value: Cell) -> str:
    """The cell as a person reads it: numbers without a spurious '.0', dates ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip(_EDGE)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        if number == number.to_integral_value() and abs(number) < Decimal(10) ** 15:
            return str(int(number))
        return str(number)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def is_blank(value: Cell) -> bool:
    return cell_text(value) == ""


def number_decimal(value: int | float) -> Decimal:
    """An Excel number as the exact decimal Excel stored (never via float arithmetic)."""
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def integral_digits(value: Cell) -> str | None:
    """The digits of a whole number held as a number cell, else None."""
    if not is_number(value):
        return None
    assert isinstance(value, int | float)
    number = number_decimal(value)
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        return None
    return str(int(number))


def looks_scientific(text: str) -> bool:
    """'1.10105E+17': how Excel shows (and saves to CSV) a long number."""
    return bool(_SCIENTIFIC.match(text))


def required_text(value: Cell, label: str) -> str:
    text = cell_text(value)
    if not text:
        raise CellError("required", f"{label}不能为空")
    return text
