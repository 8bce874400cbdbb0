"""The wide contribution rows, read long (a line per person, insurance and month), equal
an independent computation per insurance through the calculator, to the fen: regular
rows and bills of units of different classes, sizes and insurances, urban and rural
people, wages under the floor and over the ceiling, partial enrolments; 补差 rows of a
closed month (a second one in the same bill month added to the first); the pension
credits of a paid bill. (The before/after comparison of issue 11, kept.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from shebao.contributions.backpay import unit_terms_at
from shebao.contributions.calculator import contribution_calc
from shebao.contributions.models import Contribution, ContributionKind, UnitMonth
from shebao.contributions.payments import PaymentInput, payment_record
from shebao.contributions.settlement import month_close, settlement_run
from shebao.contributions.tests.helpers import long_values
from shebao.lib.money import apply_rates
from shebao.lib.periods import Month
from shebao.pension.models import AccountCredit
from shebao.policy.selectors import account_share_at, policy_at
from shebao.registry.choices import StartReason
from shebao.registry.models import Enrolment, Person, Unit, WageBase
from shebao.tests.helpers import make_person, make_unit

pytestmark = pytest.mark.django_db

JUN19, AUG, SEP = Month(2019, 6), Month(2025, 8), Month(2025, 9)
ALL = ("pension", "unemployment", "work_injury", "maternity", "medical")
# (unit index, hukou, wage in fen, insurances): under the floor, over the ceiling, rural
# (no personal unemployment premium in 2019), enrolled in some insurances only.
PEOPLE = [
    (0, "urban", 1_234_567, ALL),
    (0, "rural", 300_000, ALL),
    (0, "urban", 9_999_999, ("pension", "medical")),
    (1, "rural", 777_777, ("pension", "unemployment", "work_injury")),
    (1, "urban", 2_500_050, ALL),
    (2, "urban", 1_000_001, ("medical",)),
    (2, "rural", 650_000, ALL),
]
Key = tuple[int, int, int, str]  # unit, person, month, insurance
Amounts = dict[Key, tuple[int, int, int]]


def city() -> list[tuple[Unit, Person, tuple[str, ...]]]:
    units = [make_unit(injury_class=4, floating_pct=120, size="medium"),
             make_unit(injury_class=2, size="small"), make_unit(injury_class=7, size="large")]
    out = []
    for index, hukou, wage, insurances in PEOPLE:
        unit, person = units[index], make_person(hukou=hukou)
        for ins in insurances:
            Enrolment.objects.create(person=person, unit=unit, insurance=ins,
                                     first_month=201801, start_reason=StartReason.NEW)
        for month in (JUN19, AUG):
            WageBase.objects.create(person=person, unit=unit, wage=wage, source="declared",
                                    policy_year=policy_at(month).year_label)
        out.append((unit, person, insurances))
    return out


def calculated(people: list[tuple[Unit, Person, tuple[str, ...]]], month: Month) -> Amounts:
    """Each enrolled insurance's base and amounts, from the calculator alone."""
    expected: Amounts = {}
    for unit, person, insurances in people:
        enrolled = {e.insurance for e in Enrolment.objects.filter(person=person, unit=unit)
                    if e.covers(month)}
        wage = WageBase.objects.get(person=person, unit=unit,
                                    policy_year=policy_at(month).year_label).wage
        calc = contribution_calc(policy_at(month), wage=wage, rural=person.hukou == "rural",
                                 unit=unit_terms_at(unit, month, list(unit.injury_rates.all())))
        for line in calc.lines:
            if line.insurance in enrolled and line.insurance in insurances:
                expected[(unit.id, person.id, int(month), line.insurance)] = (
                    line.base, line.employer, line.personal)
    return expected


def stored(kind: str, **filters: int) -> Amounts:
    rows = long_values(Contribution.objects.filter(kind=kind, **filters), "unit_id",
                       "person_id", "month", "insurance", "base", "employer", "personal")
    keys = Counter(row[:4] for row in rows)
    assert max(keys.values()) == 1  # one line per person, insurance and month
    return {row[:4]: row[4:] for row in rows}


@pytest.mark.parametrize("month", [JUN19, AUG])
def test_regular_rows_and_bills_equal_the_calculator_per_insurance(month):
    people = city()
    settlement_run(month, bill_month=month)
    expected = calculated(people, month)
    assert stored(ContributionKind.REGULAR) == expected
    assert Contribution.objects.count() == len(PEOPLE)  # one row a person
    for unit in {u for u, _, _ in people}:
        bill = UnitMonth.objects.get(unit=unit, month=int(month))
        lines = [v for k, v in expected.items() if k[0] == unit.id]
        assert (bill.employer, bill.personal) == (sum(e for _, e, _ in lines),
                                                  sum(p for _, _, p in lines))
        assert bill.persons == len({k[1] for k in expected if k[0] == unit.id})


def test_difference_rows_are_the_change_per_insurance_and_add_up_in_one_bill_month():
    people = city()
    settlement_run(AUG, bill_month=AUG)
    month_close(AUG)
    before = calculated(people, AUG)
    WageBase.objects.filter(person=people[0][1]).update(wage=1_500_000)
    Enrolment.objects.filter(person=people[4][1], insurance="medical").update(last_month=202507)
    settlement_run(AUG, bill_month=SEP)
    WageBase.objects.filter(person=people[0][1]).update(wage=1_800_000)
    WageBase.objects.filter(person=people[6][1]).update(wage=200_000)  # under the floor
    settlement_run(AUG, bill_month=SEP)  # a second difference, billed in the same month
    after = calculated(people, AUG)
    none = (0, 0, 0)
    change = {k: tuple(a - b for a, b in zip(after.get(k, none), before.get(k, none),
                                             strict=True))
              for k in before.keys() | after.keys()}
    assert stored(ContributionKind.DIFFERENCE, bill_month=int(SEP)) == {
        k: v for k, v in change.items() if v != (0, 0, 0)}
    assert stored(ContributionKind.REGULAR) == before  # the closed month's rows never change
    # one row for the person changed twice, one for the person who left medical
    assert Contribution.objects.filter(kind=ContributionKind.DIFFERENCE).count() == 2


def test_credits_of_a_paid_bill_are_the_pension_base_times_the_share():
    people = city()
    settlement_run(AUG, bill_month=AUG)
    unit = people[0][0]
    bill = UnitMonth.objects.get(unit=unit, month=int(AUG))
    payment_record(PaymentInput(unit=unit, amount=bill.total, paid_date=dt.date(2025, 9, 20)))
    share = account_share_at(AUG)
    assert share is not None
    credits = {(c.person_id, c.month): (c.base, c.amount)
               for c in AccountCredit.objects.filter(unit_id=unit.id)}
    assert credits == {(p, m): (base, apply_rates(base, share.value))
                       for (u, p, m, ins), (base, _, _) in calculated(people, AUG).items()
                       if u == unit.id and ins == "pension"}
