"""Template filters for money, rates and policy figures.

{{ fen|yuan }} → 12,345.67   {{ ppm|percent }} → 16%   {{ figure|figure_value }}
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from shebao.lib.money import PPM, format_fen_grouped, format_ppm_percent
from shebao.policy.selectors import Figure

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return "" if fen is None else format_fen_grouped(int(fen))


@register.filter
def percent(ppm: int | None) -> str:
    return "" if ppm is None else f"{format_ppm_percent(int(ppm))}%"


@register.filter
def figure_value(fig: Figure) -> str:
    """A policy figure in its own unit, as people read it."""
    if fig.unit == "yuan":
        return f"{format_fen_grouped(fig.value)} 元"
    if fig.unit == "percent_per_day":
        return f"{format_ppm_percent(fig.value)}% / 日"
    if fig.unit == "percent_list":
        return "、".join(f"{v}%" for v in fig.values)
    if fig.unit == "factor":
        return format((Decimal(fig.value) / PPM).normalize(), "f")  # 1083000 -> 1.083
    if fig.unit == "label":
        return f"{fig.value} 年度"
    return f"{format_ppm_percent(fig.value)}%"
