"""Wage bases (缴费基数) of a policy year: the year's limits for a unit's insurances,
the base a declared wage gives each insurance, and the unit's people with their wages of
this year and last: the rules the wage page (web/wage.py), its confirm step and the
prefilled batch file read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from shebao.contributions.calculator import clamp_base
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER
from shebao.policy.models import Confidence
from shebao.policy.selectors import policy_at, policy_year_months
from shebao.registry.choices import WageSource
from shebao.registry.models import Enrolment, Person, Unit, WageBase

# --- limits and bases ------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    insurance: str
    label: str
    lower: int
    upper: int

    @property
    def lower_shown(self) -> str:
        return format_fen_grouped(self.lower)

    @property
    def upper_shown(self) -> str:
        return format_fen_grouped(self.upper)


@dataclass(frozen=True)
class Limits:
    """The base limits (缴费基数上下限) of a policy year for the unit's insurances."""

    year: int
    first: Month
    last: Month
    items: tuple[Limit, ...]
    provisional: bool  # not yet published: last year's carried over

    @property
    def uniform(self) -> Limit | None:
        """The one limit pair when every insurance has the same (Beijing since 2019)."""
        pairs = {(item.lower, item.upper) for item in self.items}
        return self.items[0] if len(pairs) == 1 else None


def year_limits(policy_year: int, unit: Unit) -> Limits:
    """PolicyMissing (Chinese) when the policy table lacks the year or its limits."""
    first, last = policy_year_months(policy_year)
    policy = policy_at(first)
    items = tuple(Limit(ins.value, str(ins.label), policy.base_lower[ins].value,
                        policy.base_upper[ins].value)
                  for ins in ORDER if ins.value in unit.insurance_set)
    provisional = any(policy.base_lower[ins].confidence == Confidence.PROVISIONAL
                      or policy.base_upper[ins].confidence == Confidence.PROVISIONAL
                      for ins in ORDER if ins.value in unit.insurance_set)
    return Limits(policy_year, first, last, items, provisional)


@dataclass(frozen=True)
class Base:
    insurance: str
    label: str
    base: int
    clamped: str  # "" | "下限" | "上限"

    @property
    def shown(self) -> str:
        return format_fen_grouped(self.base)


@dataclass(frozen=True)
class Bases:
    """A declared wage's base per insurance, clamped to the year's limits."""

    wage: int
    items: tuple[Base, ...]

    @property
    def uniform(self) -> Base | None:
        return self.items[0] if self.items and len({b.base for b in self.items}) == 1 else None

    @property
    def clamped(self) -> bool:
        return any(b.clamped for b in self.items)

    @property
    def note(self) -> str:
        """按上下限核定（低于下限 / 高于上限）, or "" when the wage is the base."""
        sides = sorted({b.clamped for b in self.items if b.clamped})
        if not sides:
            return ""
        reason = "、".join(f"{'低于' if s == '下限' else '高于'}{s}" for s in sides)
        return f"按上下限核定（{reason}）"


def bases_for(wage: int, limits: Limits) -> Bases:
    return Bases(wage, tuple(
        Base(item.insurance, item.label, clamp_base(wage, item.lower, item.upper),
             "下限" if wage < item.lower else "上限" if wage > item.upper else "")
        for item in limits.items))


# --- the unit's people -----------------------------------------------------------------


def _enrolled_ids(unit: Unit, month: Month) -> QuerySet[Enrolment, Any]:
    """Person ids of the unit's enrolments open in `month` or later (a subquery)."""
    return Enrolment.objects.filter(unit=unit).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=int(month))).values("person_id")


def enrolled_people(unit: Unit, policy_year: int, month: Month, search: str = "",
                    pending: bool = False) -> QuerySet[Person]:
    """The unit's people enrolled this month or later, each with the wage (and its
    source) of `policy_year` and of the year before at this unit: one query a page.
    `pending`: only those whose wage of `policy_year` has not been declared."""
    wages = WageBase.objects.filter(unit=unit, person=OuterRef("pk"))
    people = Person.objects.filter(pk__in=_enrolled_ids(unit, month))
    if pending:
        people = people.exclude(pk__in=WageBase.objects.filter(
            unit=unit, policy_year=policy_year, source=WageSource.DECLARED).values("person_id"))
    if search:
        people = people.filter(Q(name__contains=search)
                               | Q(id_number__startswith=search.upper()))
    return (people.only("ref", "id_number", "name").annotate(
        last_wage=Subquery(wages.filter(policy_year=policy_year - 1).values("wage")[:1]),
        this_wage=Subquery(wages.filter(policy_year=policy_year).values("wage")[:1]),
        this_source=Subquery(wages.filter(policy_year=policy_year).values("source")[:1]),
    ).order_by("name", "id_number"))


def declared_count(unit: Unit, policy_year: int, month: Month) -> int:
    """How many of the unit's people enrolled in `month` or later declared their wage of
    `policy_year`."""
    return WageBase.objects.filter(unit=unit, policy_year=policy_year,
                                   source=WageSource.DECLARED,
                                   person_id__in=_enrolled_ids(unit, month)).count()
