"""Year-end interest: the documented worked example, idempotence, properties."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.pension.models import AccountCredit, AccountYear
from shebao.pension.services import (
    CloseYearError,
    account_close_year,
    imported_years_register,
    year_interest,
)
from shebao.tests.helpers import make_person


def test_worked_example_of_domain_md():
    # opening 100,000.00; 800.00 credited each month of 2023; r = 3.97%
    result = year_interest(10_000_000, 960_000, 39_700, 1_083_000)
    assert (result.interest_opening, result.interest_credits, result.closing) == (
        397_000, 20_638, 11_377_638)


@settings(max_examples=300)
@given(opening=st.integers(0, 10**10), credits=st.integers(0, 10**8),
       r1=st.integers(0, 100_000), r2=st.integers(0, 100_000))
def test_interest_is_monotone_in_the_rate(opening, credits, r1, r2):
    low, high = sorted((r1, r2))
    assert (year_interest(opening, credits, low, 1_083_000).closing
            <= year_interest(opening, credits, high, 1_083_000).closing)
    assert year_interest(opening, credits, 0, 1_083_000).closing == opening + credits


def _account(person, *, opening: int, monthly: list[int], year: int = 2023) -> None:
    """An imported record of the year before `year` (registered as closed) and credits
    of `year`."""
    AccountYear.objects.create(
        person=person, year=year - 1, opening=0, months_paid=0, average_base=0, credits=0,
        interest_opening=0, interest_credits=0, closing=opening, cumulative_months=100,
        rate_ppm=0, source="imported")
    imported_years_register()
    for i, amount in enumerate(monthly, start=1):
        AccountCredit.objects.create(person=person, unit_id=1, year=year, month=year * 100 + i,
                                     base=amount * 100 // 8, amount=amount)


@pytest.mark.django_db
def test_close_year_computes_the_worked_example_in_sql():
    person = make_person()
    _account(person, opening=10_000_000, monthly=[80_000] * 12)
    assert account_close_year(2023) == 1
    row = AccountYear.objects.get(person=person, year=2023)
    assert (row.opening, row.credits, row.interest_opening, row.interest_credits,
            row.closing) == (10_000_000, 960_000, 397_000, 20_638, 11_377_638)
    assert (row.months_paid, row.average_base, row.cumulative_months, row.rate_ppm) == (
        12, 1_000_000, 112, 39_700)


@pytest.mark.django_db
def test_close_year_is_idempotent_and_carries_accounts_without_credits():
    payer, idle, newcomer = make_person(), make_person(), make_person()
    _account(payer, opening=500_000, monthly=[64_000] * 3)
    _account(idle, opening=1_234_567, monthly=[])
    AccountCredit.objects.create(person=newcomer, unit_id=1, year=2023, month=202312,
                                 base=800_000, amount=64_000)
    assert account_close_year(2023) == 3
    snapshot = list(AccountYear.objects.filter(year=2023).order_by("person_id").values())
    assert account_close_year(2023) == 0
    assert list(AccountYear.objects.filter(year=2023).order_by("person_id").values()) == snapshot
    idle_row = AccountYear.objects.get(person=idle, year=2023)
    assert idle_row.closing == 1_234_567 + 49_012  # 1,234,567 × 3.97% = 49,012.31
    new_row = AccountYear.objects.get(person=newcomer, year=2023)
    assert (new_row.opening, new_row.months_paid, new_row.closing) == (0, 1, 64_000 + 1_376)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None)
@given(opening=st.integers(0, 10**9), monthly=st.lists(st.integers(0, 300_000), max_size=12))
def test_sql_close_equals_the_python_rule(opening, monthly):
    person = make_person()
    _account(person, opening=opening, monthly=monthly, year=2019)
    account_close_year(2019)
    row = AccountYear.objects.get(person=person, year=2019)
    expected = year_interest(opening, sum(monthly), 76_100, 1_083_000)
    assert (row.interest_opening, row.interest_credits, row.closing) == (
        expected.interest_opening, expected.interest_credits, expected.closing)


@pytest.mark.django_db
def test_close_year_refuses_imported_and_unfinished_years():
    with pytest.raises(CloseYearError, match="历史导入"):
        account_close_year(2004)
    with pytest.raises(CloseYearError, match="尚未结束"):
        account_close_year(2999)


@pytest.mark.django_db
def test_close_year_command(capsys):
    _account(make_person(), opening=100, monthly=[])
    with pytest.raises(SystemExit) as exc:
        call_command("close_year", "20x3")
    assert exc.value.code == 2
    assert "不是有效年度" in capsys.readouterr().err
    call_command("close_year", "2023")
    assert "2023年结息完成" in capsys.readouterr().out
