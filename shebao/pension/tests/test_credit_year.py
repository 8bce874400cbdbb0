"""The account year of a credit (decision 0011): a month's credit belongs to its own
year when paid before that year is closed, and is booked in the year paid as 补记,
keeping its month, when paid after; years close in order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from shebao.audit.models import Event
from shebao.contributions.models import UnitMonth
from shebao.contributions.payments import PaymentInput, payment_record
from shebao.contributions.settlement import settlement_run
from shebao.lib.periods import Month, month_range
from shebao.pension.models import AccountCredit, AccountYear, ClosedYear
from shebao.pension.services import CloseYearError, account_close_year, imported_years_register
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

MONTHLY_CREDIT = 80_000  # 8% of a base of 10,000.00
OPENING = 10_000_000  # closing balance of the imported 2023 record


@pytest.fixture
def payer():
    """A person enrolled all 2024 and 2025 at a wage of 10,000.00 (within the limits),
    with an imported 2023 account record (2023 registered as closed)."""
    unit = make_unit()
    person = make_person()
    make_enrolment(person, unit, first=Month(2024, 1), wage=1_000_000,
                   policy_years=(2023, 2024))
    AccountYear.objects.create(
        person=person, year=2023, opening=0, months_paid=12, average_base=0, credits=0,
        interest_opening=0, interest_credits=0, closing=OPENING, cumulative_months=100,
        rate_ppm=0, source=AccountYear.Source.IMPORTED)
    imported_years_register()
    return unit, person


def _settle_and_pay(unit, months, paid=lambda m: m.add(1).first_day() + dt.timedelta(14)):
    for month in months:
        settlement_run(month, bill_month=month)
        bill = UnitMonth.objects.get(unit=unit, month=int(month))
        payment_record(PaymentInput(unit=unit, amount=bill.outstanding, paid_date=paid(month)))


def test_december_paid_in_january_counts_in_its_own_year(payer):
    unit, person = payer
    _settle_and_pay(unit, month_range(Month(2024, 1), Month(2024, 12)))
    assert sorted(AccountCredit.objects.filter(person=person).values_list("year", flat=True)
                  ) == [2024] * 12
    account_close_year(2024)
    row = AccountYear.objects.get(person=person, year=2024)
    assert (row.months_paid, row.credits, row.cumulative_months) == (
        12, 12 * MONTHLY_CREDIT, 112)


def test_month_paid_after_its_year_closed_is_booked_as_backfill_in_the_year_paid(payer):
    unit, person = payer
    _settle_and_pay(unit, month_range(Month(2024, 1), Month(2024, 11)))
    settlement_run(Month(2024, 12), bill_month=Month(2024, 12))  # December left unpaid
    account_close_year(2024)
    # 2024: 2.62%; opening 100,000.00 -> 2,620.00; 11 × 800.00 = 8,800.00 credited
    # -> 8,800.00 × 2.62% × 1.083 / 2 = 124.84824 -> 124.85
    y2024 = AccountYear.objects.get(person=person, year=2024)
    assert (y2024.months_paid, y2024.credits, y2024.interest_opening,
            y2024.interest_credits, y2024.closing) == (
        11, 880_000, 262_000, 12_485, 11_154_485)

    _settle_and_pay(unit, [Month(2024, 12)], paid=lambda m: dt.date(2025, 3, 10))
    late = AccountCredit.objects.get(person=person, month=202412)
    assert (late.year, late.amount, late.backfilled) == (2025, MONTHLY_CREDIT, True)
    assert AccountYear.objects.get(person=person, year=2024) == y2024  # closed: unchanged
    _settle_and_pay(unit, [Month(2025, 1)], paid=lambda m: dt.date(2025, 3, 10))
    assert not AccountCredit.objects.get(person=person, month=202501).backfilled

    account_close_year(2025)
    # 2025: 1.50%; opening 111,544.85 -> 1,673.17275 -> 1,673.17; credits 1,600.00 (the
    # 补记 of 2024-12 and 2025-01) -> 1,600.00 × 1.50% × 1.083 / 2 = 12.996 -> 13.00
    y2025 = AccountYear.objects.get(person=person, year=2025)
    assert (y2025.opening, y2025.credits, y2025.interest_opening, y2025.interest_credits,
            y2025.closing) == (11_154_485, 160_000, 167_317, 1_300, 11_483_102)
    assert (y2025.months_paid, y2025.cumulative_months) == (2, 113)


def test_a_correction_booked_later_does_not_count_its_month_again(payer):
    unit, person = payer
    _settle_and_pay(unit, month_range(Month(2024, 1), Month(2024, 12)))
    account_close_year(2024)
    AccountCredit.objects.create(person=person, unit_id=unit.id, year=2025, month=202412,
                                 base=100_000, amount=8_000)  # a 补差 of December, in 2025
    account_close_year(2025)
    y2025 = AccountYear.objects.get(person=person, year=2025)
    assert (y2025.months_paid, y2025.credits, y2025.cumulative_months) == (0, 8_000, 112)


def test_closing_a_year_before_the_previous_one_is_refused(payer, capsys):
    unit, _ = payer
    _settle_and_pay(unit, [Month(2025, 1)], paid=lambda m: dt.date(2025, 2, 15))
    events = Event.objects.count()
    with pytest.raises(CloseYearError, match="2024年尚未结息"):
        account_close_year(2025)
    with pytest.raises(SystemExit) as exc:
        call_command("close_year", "2025")
    assert exc.value.code == 2
    assert "2024年尚未结息，不能结息2025年" in capsys.readouterr().err
    assert not AccountYear.objects.filter(year__gte=2024).exists()
    assert not ClosedYear.objects.filter(year__gte=2024).exists()
    assert Event.objects.count() == events
    account_close_year(2024)
    account_close_year(2025)
    assert list(ClosedYear.objects.filter(source="closed").values_list("year", flat=True)
                .order_by("year")) == [2024, 2025]


def test_migration_gives_existing_rows_their_account_year():
    """The data step of migration 0004, on rows written by the former booking rule."""
    from importlib import import_module

    from django.db import connection

    step = import_module("shebao.pension.migrations.0004_closed_year")
    early, late = make_person(), make_person()
    for person, year, source in [(early, 2022, "imported"), (early, 2023, "closed"),
                                 (late, 2023, "closed")]:
        AccountYear.objects.create(
            person=person, year=year, opening=0, months_paid=0, average_base=0, credits=0,
            interest_opening=0, interest_credits=0, closing=0, cumulative_months=0,
            rate_ppm=0, source=source)
    credits = {
        # (year booked by the former rule, month): year expected
        (2024, 202311): 2024,  # 2023 was closed: stays, a 补记
        (2025, 202412): 2024,  # December 2024 paid in January 2025, 2024 still open
        (2025, 202501): 2025,
        (2024, 202401): 2024,
    }
    for year, month in credits:
        AccountCredit.objects.create(person=late, unit_id=1, year=year, month=month,
                                     base=1_000_000, amount=80_000)
    with connection.cursor() as cur:
        cur.execute(step.CLOSED_YEARS)
        cur.execute(step.CREDITS_TO_THEIR_YEAR)
    assert sorted(ClosedYear.objects.values_list("year", "source", "accounts")) == [
        (2022, "imported", 1), (2023, "closed", 2)]
    assert {(c.month, c.year) for c in AccountCredit.objects.all()} == {
        (month, expected) for (_, month), expected in credits.items()}
