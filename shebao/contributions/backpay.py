"""Back-payment (补缴) amounts: what is due for past months under each month's own rules.

For a person, a unit, a month range and the wage of each month: the base and amounts per
insurance (the calculator with that month's policy and the unit's work-injury class of
that month), the pension account credit it will create, and the late fee to a date.
Back-payments are allowed back to 2004-11 [decision] and up to the month before the
current one, and never for a month the unit was already billed for that person
(`months_billed`, decision 0010).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

from django.db.models import F, Q, Sum
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce

from shebao.lib.money import apply_rates
from shebao.lib.periods import Month, month_range
from shebao.policy.selectors import PolicyMissing, account_share_at, policy_at
from shebao.registry.models import Person, Unit, UnitInjuryRate

from .calculator import Calculation, CalculationError, UnitTerms, contribution_calc
from .columns import PARTS, column
from .latefee import late_fee
from .models import INSURANCES, Contribution
from .settlement import due_date_of

EARLIEST_BACKPAY = Month(2004, 11)
# Persons per query of `months_billed`: well under the parameter limits of SQLite and
# PostgreSQL.
BILLED_CHUNK = 5_000


class BackpayError(ValueError):
    """A back-payment the rules refuse; the message is Chinese."""


@dataclass(frozen=True)
class BackpayMonth:
    calc: Calculation
    account_credit: int
    due_date: dt.date
    late_fee: int

    @property
    def month(self) -> Month:
        return Month.parse(self.calc.month)


@dataclass(frozen=True)
class BackpayQuote:
    months: tuple[BackpayMonth, ...]

    @property
    def employer_total(self) -> int:
        return sum(m.calc.employer_total for m in self.months)

    @property
    def personal_total(self) -> int:
        return sum(m.calc.personal_total for m in self.months)

    @property
    def total(self) -> int:
        return self.employer_total + self.personal_total

    @property
    def late_fee_total(self) -> int:
        return sum(m.late_fee for m in self.months)

    @property
    def account_credit_total(self) -> int:
        return sum(m.account_credit for m in self.months)


def unit_terms_at(unit: Unit, month: Month, rates: list[UnitInjuryRate]) -> UnitTerms:
    for rate in rates:
        if rate.covers(month):
            return UnitTerms(rate.injury_class, rate.floating_pct, unit.size)
    raise BackpayError(f"单位 {unit.number} 在 {month} 没有工伤保险费率记录，请联系经办机构")


def backpay_quote(*, person: Person, unit: Unit, wages: dict[Month, int],
                  as_of: dt.date) -> BackpayQuote:
    """Amounts due per month and insurance, pension credits and late fees to `as_of`."""
    if not wages:
        raise BackpayError("请至少填写一个补缴月份")
    first, last = min(wages), max(wages)
    if first < EARLIEST_BACKPAY:
        raise BackpayError(f"补缴起始年月不能早于 {EARLIEST_BACKPAY}")
    if last >= Month.of(as_of):
        raise BackpayError(f"补缴终止年月应早于当前月份 {Month.of(as_of)}")
    missing = [m for m in month_range(first, last) if m not in wages]
    if missing:
        raise BackpayError(f"缺少 {missing[0]} 的月缴费工资")
    rates = list(unit.injury_rates.all())
    months = []
    for month in month_range(first, last):
        try:
            calc = contribution_calc(policy_at(month), wage=wages[month],
                                     rural=person.hukou == "rural",
                                     unit=unit_terms_at(unit, month, rates))
        except (CalculationError, PolicyMissing) as exc:
            raise BackpayError(f"{month}：{exc}") from exc
        share = account_share_at(month)
        pension = calc.lines[0]
        credit = apply_rates(pension.base, share.value) if share else 0
        due = due_date_of(month)
        months.append(BackpayMonth(calc=calc, account_credit=credit, due_date=due,
                                   late_fee=late_fee(calc.total, due, as_of)))
    return BackpayQuote(tuple(months))


def _part_total(part: str) -> Combinable:
    """A row's base, employer or personal amount over its insurances (NULL counts 0)."""
    terms: list[Combinable] = [Coalesce(F(column(ins, part)), 0) for ins in INSURANCES]
    return reduce(operator.add, terms)


def months_billed(unit_id: int,
                  periods: Sequence[tuple[int, Month, Month]]) -> dict[int, set[int]]:
    """The months (YYYYMM) the unit was billed for each person, among the months of the
    (person id, first, last) periods asked about.

    A month is billed when the unit's contribution rows of that person and month (regular
    settlement, 补差 difference and 补缴 backpay rows alike) do not net to zero; a month
    whose rows were fully reversed by differences was in the end not charged. One grouped
    query per BILLED_CHUNK persons, over the span of their periods (the person-month
    index), whatever the number of periods: a file of many people is not N+1.
    """
    wanted: dict[int, list[tuple[int, int]]] = {}
    for person_id, first, last in periods:
        wanted.setdefault(person_id, []).append((int(first), int(last)))
    found: dict[int, set[int]] = {}
    people = sorted(wanted)
    for i in range(0, len(people), BILLED_CHUNK):
        chunk = people[i:i + BILLED_CHUNK]
        lo = min(first for p in chunk for first, _ in wanted[p])
        hi = max(last for p in chunk for _, last in wanted[p])
        rows = (Contribution.objects
                .filter(unit_id=unit_id, person_id__in=chunk, month__gte=lo, month__lte=hi)
                .values("person_id", "month")
                .annotate(**{part: Sum(_part_total(part)) for part in PARTS})
                .exclude(Q(base=0) & Q(employer=0) & Q(personal=0))
                .values_list("person_id", "month"))
        for person_id, month in rows:
            if any(first <= month <= last for first, last in wanted[person_id]):
                found.setdefault(person_id, set()).add(month)
    return found
