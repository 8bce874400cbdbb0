"""Back-payment quotes: each month's own rules, pension credits, late fees."""

from __future__ import annotations

import datetime as dt

import pytest

from shebao.contributions.backpay import BackpayError, backpay_quote
from shebao.contributions.calculator import UnitTerms, contribution_calc
from shebao.contributions.latefee import late_fee
from shebao.lib.periods import Month, month_range
from shebao.policy.selectors import policy_at
from shebao.tests.helpers import make_person, make_unit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)


def wages(first: Month, last: Month, fen: int) -> dict[Month, int]:
    return dict.fromkeys(month_range(first, last), fen)


def test_each_month_uses_its_own_rules_across_a_policy_year_and_scheme_change():
    unit = make_unit(injury_class=5, floating_pct=120, size="small")
    person = make_person(hukou="rural")
    quote = backpay_quote(person=person, unit=unit,
                          wages=wages(Month(2015, 8), Month(2015, 11), 500_000), as_of=TODAY)
    assert [str(m.month) for m in quote.months] == ["2015-08", "2015-09", "2015-10", "2015-11"]
    for item in quote.months:
        month = item.month
        # before 2015-10 the unit was in class 3 (old scheme), from then class 5 × 120%
        terms = UnitTerms(3, 100, "small") if month < Month(2015, 10) else UnitTerms(
            5, 120, "small")
        expected = contribution_calc(policy_at(month), wage=500_000, rural=True, unit=terms)
        assert item.calc == expected
        assert item.account_credit == (expected.lines[0].base * 8 + 50) // 100
        assert item.due_date == month.add(1).last_day()
        assert item.late_fee == late_fee(expected.total, item.due_date, TODAY)
    assert quote.total == sum(m.calc.total for m in quote.months)
    assert quote.late_fee_total == sum(m.late_fee for m in quote.months)


def test_account_share_is_11_percent_before_2006():
    unit, person = make_unit(), make_person()
    quote = backpay_quote(person=person, unit=unit, wages={Month(2005, 12): 300_000},
                          as_of=TODAY)
    base = quote.months[0].calc.lines[0].base
    assert quote.months[0].account_credit == (base * 11 + 50) // 100


def test_late_fee_spans_the_2011_rate_change():
    unit, person = make_unit(), make_person()
    quote = backpay_quote(person=person, unit=unit, wages={Month(2011, 5): 300_000},
                          as_of=dt.date(2011, 7, 10))
    item = quote.months[0]
    # due 2011-06-30: July 1..10 at 0.05% only
    assert item.late_fee == (item.calc.total * 5 * 10 + 5_000) // 10_000


@pytest.mark.parametrize(
    ("wage_map", "message"),
    [
        ({}, "至少填写一个"),
        ({Month(2004, 10): 1}, "不能早于 2004-11"),
        ({Month(2025, 11): 1}, "应早于当前月份"),
        ({Month(2025, 1): 1, Month(2025, 3): 1}, "缺少 2025-02"),
    ],
)
def test_refusals(wage_map, message):
    with pytest.raises(BackpayError, match=message):
        backpay_quote(person=make_person(), unit=make_unit(), wages=wage_map, as_of=TODAY)
