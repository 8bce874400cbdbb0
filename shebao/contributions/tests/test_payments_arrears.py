"""Payments, allocation to the oldest month, arrears, late fees and pension credits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.contributions.arrears import arrears_for_unit, units_in_arrears
from shebao.contributions.bankfile import bankfile_import
from shebao.contributions.latefee import late_days, late_fee, late_fee_exact
from shebao.contributions.models import Allocation, Payment, UnitMonth
from shebao.contributions.payments import PaymentError, PaymentInput, payment_record
from shebao.contributions.settlement import settlement_run
from shebao.lib.periods import Month
from shebao.pension.models import AccountCredit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

D = dt.date


@pytest.mark.parametrize(
    ("amount", "due", "paid", "fee"),
    [
        (1_000_000, D(2011, 6, 28), D(2011, 7, 3), 5_500),  # 2 days at 0.2%, 3 at 0.05%
        (1_000_000, D(2025, 9, 30), D(2025, 10, 1), 500),  # one day at 0.05%
        (1_000_000, D(2025, 9, 30), D(2025, 9, 30), 0),  # paid on the due date
        (1_000_000, D(2025, 9, 30), D(2025, 9, 1), 0),  # paid early
        (333, D(2025, 9, 30), D(2025, 10, 4), 1),  # 333 × 0.0005 × 4 = 0.666 -> 1
        (100, D(2025, 9, 30), D(2025, 10, 10), 1),  # 0.5 fen -> half-up to 1
        (99, D(2025, 9, 30), D(2025, 10, 10), 0),  # 0.495 -> 0
        (1_000_000, D(2010, 12, 31), D(2011, 1, 31), 62_000),  # 31 days at 0.2%
    ],
)
@pytest.mark.django_db
def test_late_fee_examples(amount, due, paid, fee):
    assert late_fee(amount, due, paid) == fee


@pytest.mark.django_db
def test_late_days_counts_from_the_day_after_the_due_date():
    assert late_days(D(2025, 9, 30), D(2025, 10, 1)) == 1
    assert late_days(D(2025, 9, 30), D(2025, 9, 29)) == 0


@pytest.mark.django_db
@settings(max_examples=200, deadline=None)
@given(amount=st.integers(0, 10**9), start=st.dates(D(2005, 1, 1), D(2026, 1, 1)),
       a=st.integers(0, 800), b=st.integers(0, 800))
def test_late_fee_is_additive_over_split_periods(amount, start, a, b):
    middle = start + dt.timedelta(days=a)
    end = middle + dt.timedelta(days=b)
    whole = late_fee_exact(amount, start, end)
    assert whole == late_fee_exact(amount, start, middle) + late_fee_exact(amount, middle, end)
    assert late_fee(amount, start, end) >= 0


@pytest.fixture
def settled_unit(db):
    unit = make_unit()
    people = [make_person() for _ in range(2)]
    for p in people:
        make_enrolment(p, unit, first=Month(2025, 1), wage=1_000_000, policy_years=(2024, 2025))
    for m in (Month(2025, 7), Month(2025, 8), Month(2025, 9)):
        settlement_run(m, bill_month=m)
    return unit, people


def bills(unit):
    return {b.month: b for b in UnitMonth.objects.filter(unit=unit)}


@pytest.mark.django_db
def test_payment_settles_the_oldest_month_first(settled_unit):
    unit, _ = settled_unit
    b = bills(unit)
    one_month = b[202507].total
    payment_record(PaymentInput(unit=unit, amount=one_month + 100, paid_date=D(2025, 8, 20)))
    b = bills(unit)
    assert b[202507].paid == one_month
    assert b[202508].paid == 100
    assert b[202509].paid == 0
    assert Allocation.objects.count() == 2


@pytest.mark.django_db
def test_full_payment_credits_pension_accounts_once(settled_unit):
    unit, people = settled_unit
    total = sum(b.total for b in bills(unit).values())
    payment_record(PaymentInput(unit=unit, amount=total, paid_date=D(2025, 10, 15)))
    credits = AccountCredit.objects.filter(person=people[0]).order_by("month")
    assert [(c.month, c.base, c.amount, c.year) for c in credits] == [
        (202507, 1_000_000, 80_000, 2025), (202508, 1_000_000, 80_000, 2025),
        (202509, 1_000_000, 80_000, 2025)]
    # re-settling a paid open month does not credit again
    settlement_run(Month(2025, 9), bill_month=Month(2025, 9))
    assert AccountCredit.objects.filter(person=people[0]).count() == 3


@pytest.mark.django_db
def test_overpayment_is_kept_unallocated(settled_unit):
    unit, _ = settled_unit
    total = sum(b.total for b in bills(unit).values())
    # on time for every bill (the first is due 2025-08-31): no late fee is charged
    p = payment_record(PaymentInput(unit=unit, amount=total + 5_000, paid_date=D(2025, 8, 31)))
    assert p.unallocated == 5_000


@pytest.mark.django_db
def test_payment_refuses_zero_and_future_dates(settled_unit):
    unit, _ = settled_unit
    with pytest.raises(PaymentError, match="大于零"):
        payment_record(PaymentInput(unit=unit, amount=0, paid_date=D(2025, 10, 1)))
    with pytest.raises(PaymentError, match="不能晚于今天"):
        payment_record(PaymentInput(unit=unit, amount=1, paid_date=D(2999, 1, 1)))
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_arrears_and_late_fee_to_a_date(settled_unit):
    unit, _ = settled_unit
    b = bills(unit)
    # July paid 10 days late; August and September unpaid.
    payment_record(PaymentInput(unit=unit, amount=b[202507].total, paid_date=D(2025, 9, 10)))
    lines = arrears_for_unit(unit.id, D(2025, 11, 5))
    by_month = {str(x.month): x for x in lines}
    assert set(by_month) == {"2025-07", "2025-08", "2025-09"}
    assert by_month["2025-07"].outstanding == 0
    assert by_month["2025-07"].late_fee == late_fee(
        b[202507].total, D(2025, 8, 31), D(2025, 9, 10))
    assert by_month["2025-08"].outstanding == b[202508].total
    assert by_month["2025-08"].days_overdue == 36
    nov5 = D(2025, 11, 5)
    assert by_month["2025-08"].late_fee == late_fee(b[202508].total, D(2025, 9, 30), nov5)
    assert by_month["2025-09"].late_fee == late_fee(b[202509].total, D(2025, 10, 31), nov5)
    assert unit.id in units_in_arrears(D(2025, 11, 5))
    assert unit.id not in units_in_arrears(D(2025, 8, 31))


@pytest.mark.django_db
def test_arrears_query_count_does_not_grow_with_months(settled_unit, django_assert_num_queries):
    unit, _ = settled_unit
    with django_assert_num_queries(3):  # bills, their allocations, charged late fees
        arrears_for_unit(unit.id, D(2026, 1, 1))


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


@pytest.mark.django_db
def test_bank_file_applies_all_rows_once(settled_unit):
    unit, _ = settled_unit
    b = bills(unit)
    data = csv_bytes(
        "单位编号,费款所属期,金额,缴费日期\n"
        f"{unit.number},202507,{b[202507].total / 100:.2f},2025-08-20\n"
        f"{unit.number},2025-08,\"{b[202508].total / 100:,.2f}\",20250918\n\n\n",
        "gb18030",
    )
    result = bankfile_import(data, filename="tuoshou.csv")
    assert result.ok and not result.duplicate and result.batch is not None
    assert result.batch.rows == 2
    assert bills(unit)[202508].paid == b[202508].total
    again = bankfile_import(data, filename="tuoshou-copy.csv")
    assert again.ok and again.duplicate
    assert Payment.objects.count() == 2


@pytest.mark.django_db
def test_bank_file_with_errors_reports_every_row_and_applies_nothing(settled_unit):
    unit, _ = settled_unit
    data = csv_bytes(
        "\ufeff单位编号,费款所属期,金额,缴费日期\n"
        f"{unit.number},202507,100.00,2025-08-20\n"
        "99999999,202507,100.00,2025-08-20\n"
        f"{unit.number},2025-13,abc,2025-02-30\n"
    )
    result = bankfile_import(data, filename="bad.csv")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "单位编号"), (4, "费款所属期"), (4, "金额"), (4, "缴费日期")]
    assert all(e.message for e in result.errors)
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_bank_file_missing_column_and_not_text():
    result = bankfile_import(b"unit_number,month,amount\n1,202501,1\n", filename="x.csv")
    assert [(e.row, e.column) for e in result.errors] == [(1, "缴费日期")]
    result = bankfile_import(b"PK\x03\x04\x00\x00binary", filename="x.xlsx")
    assert result.errors[0].row is None and "CSV" in result.errors[0].message
