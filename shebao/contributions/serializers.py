"""Plain-data shapes of calculator results, shared by the CLI and the API."""

from __future__ import annotations

from typing import Any

from shebao.lib.money import format_fen

from .calculator import Calculation


def calculation_json(calc: Calculation) -> dict[str, Any]:
    """The documented JSON: amounts as strings with two decimals, insurances in order."""
    return {
        "month": calc.month,
        "wage": format_fen(calc.wage),
        "items": [
            {
                "insurance": line.insurance,
                "base": format_fen(line.base),
                "employer": format_fen(line.employer),
                "personal": format_fen(line.personal),
            }
            for line in calc.lines
        ],
        "employer_total": format_fen(calc.employer_total),
        "personal_total": format_fen(calc.personal_total),
        "total": format_fen(calc.total),
    }
