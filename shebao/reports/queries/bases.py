"""员工缴费基数: the unit's people's wages of a policy year (缴费年度) and the base each
gives every insurance after the year's limits, with where the wage came from.

The limits and the clamping are the wage page's (`declarations.wagebases`: `year_limits`,
`bases_for`, which call `contributions.calculator.clamp_base`); this module only lists.
Wages of approved 补缴 months follow the declared ones, a row per line and wage.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count

from shebao.declarations.backpay import line_wages
from shebao.declarations.models import DeclarationKind, DeclarationLine, Status
from shebao.declarations.wagebases import Limits, bases_for, year_limits
from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER
from shebao.policy.selectors import PolicyMissing
from shebao.registry.choices import WageSource
from shebao.registry.models import Unit, WageBase

from ..filters import Filters, year_months
from ..scope import person_search
from ..tables import Column, Listing, Query, Row

BACKPAY = "补缴"
SOURCES = dict(WageSource.choices)
COLUMNS = (
    Column("name", "姓名", width=10),
    Column("id_number", "公民身份号码", width=21),
    Column("year", "缴费年度", "count", width=9),
    Column("months", "适用年月", width=18),
    Column("wage", "申报月工资", "money", width=12),
    *(Column(ins.value, f"{ins.label}基数", "money", width=12) for ins in ORDER),
    Column("note", "核定说明", width=20),
    Column("source", "来源", width=16),
)
NOT_JOINED = "单位未参加"


def _base_cells(wage: int, limits: Limits) -> Row:
    bases = bases_for(wage, limits)
    cells: Row = {ins.value: NOT_JOINED for ins in ORDER}
    cells.update({b.insurance: b.base for b in bases.items})
    cells["note"] = bases.note
    return cells


def _span(first: Month, last: Month) -> str:
    return f"{first}至{last}" if first != last else str(first)


def backpay_rows(unit: Unit, filters: Filters, limits: Limits) -> list[Row]:
    """Wages of the unit's approved 补缴 months in the year: a row per line and wage."""
    assert filters.year is not None
    first, last = year_months(filters.year)
    lines = DeclarationLine.objects.filter(
        declaration__unit=unit, declaration__kind=DeclarationKind.BACKPAY,
        declaration__status=Status.EFFECTIVE, person__isnull=False)
    lines = person_search(lines, filters.person, prefix="person__")
    rows = []
    for line in lines.select_related("person").order_by("person__name", "id_number", "id"):
        by_wage: dict[int, list[Month]] = {}
        for month, wage in line_wages(line.data).items():
            if first <= month <= last:
                by_wage.setdefault(wage, []).append(month)
        for wage, months in by_wage.items():
            person = line.person
            assert person is not None
            rows.append({"_ref": person.ref, "name": person.name,
                         "id_number": person.id_number, "year": filters.year,
                         "months": _span(min(months), max(months)), "wage": wage,
                         **_base_cells(wage, limits), "source": BACKPAY})
    return rows


def _rows(limits: Limits, span: str, wages: Iterable[WageBase]) -> list[Row]:
    return [{"_ref": w.person.ref, "name": w.person.name, "id_number": w.person.id_number,
             "year": w.policy_year, "months": span, "wage": w.wage,
             **_base_cells(w.wage, limits), "source": SOURCES.get(w.source, w.source)}
            for w in wages]


def _totals(wages: Iterable[tuple[int, int]], extra: list[Row], limits: Limits) -> Row:
    """Sums of wages and bases: the declared ones grouped by wage (one query, each
    distinct wage clamped once, times how many have it), then the 补缴 rows."""
    totals: Row = {"wage": 0, **{item.insurance: 0 for item in limits.items}}
    groups = [*wages, *((row["wage"], 1) for row in extra)]
    for wage, count in groups:
        totals["wage"] += wage * count
        for base in bases_for(wage, limits).items:
            totals[base.insurance] += base.base * count
    return totals


def bases_select(unit: Unit, filters: Filters) -> Listing:
    assert filters.year is not None
    wages = person_search(WageBase.objects.filter(unit=unit, policy_year=filters.year),
                          filters.person, prefix="person__")
    wages = wages.select_related("person").order_by("person__name", "person__id_number")
    try:
        limits = year_limits(filters.year, unit)
    except PolicyMissing:
        return Listing(wages.none(), lambda chunk: [])
    first, last = year_months(filters.year)
    extra = backpay_rows(unit, filters, limits)

    def totals() -> Row:
        grouped = wages.order_by().values("wage").annotate(n=Count("id"))
        return _totals(((g["wage"], g["n"]) for g in grouped), extra, limits)

    return Listing(wages, lambda chunk: _rows(limits, _span(first, last), chunk),
                   extra=extra, totals=totals, summary=lambda n: f"共 {n:,} 条缴费基数记录")


def _empty(filters: Filters) -> str:
    if filters.person:
        return f"{filters.year}年度没有符合条件人员的缴费基数记录，请调整查询条件。"
    return (f"本单位{filters.year}年度尚无缴费基数记录：该年度的缴费工资尚未申报或核定，"
            "且没有新参保人员。")


QUERY = Query(
    kind="bases", title="员工缴费基数", columns=COLUMNS, select=bases_select,
    filters=("year", "person"), empty=_empty, wide=True,
    note="每名职工一个缴费年度的月缴费工资，及按当年度各险种缴费基数上下限核定的缴费基数。"
         "来源：单位申报、新参保首月工资、未申报按上年110%、补缴。",
)
