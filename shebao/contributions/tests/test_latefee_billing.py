"""Billed late fees (LateFeeCharge): on the bill, never the base of a late fee, and a late
bill's own fee charged once its contributions are paid."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.audit.models import Event
from shebao.contributions.arrears import arrears_for_unit, bill_late_fee
from shebao.contributions.latefee import late_fee, late_fee_exact, round_fen
from shebao.contributions.models import (
    ARREARS_LATE_FEE,
    Allocation,
    Contribution,
    LateFeeCharge,
    MonthStatus,
    UnitMonth,
)
from shebao.contributions.payments import (
    PaymentInput,
    arrears_late_fee_charge,
    charge_month,
    payment_record,
)
from shebao.contributions.settlement import (
    bills_refresh,
    due_date_of,
    month_close,
    settlement_run,
)
from shebao.lib.money import PPM, format_fen, format_fen_grouped
from shebao.lib.periods import Month
from shebao.pension.models import AccountCredit
from shebao.policy.selectors import late_fee_daily_at
from shebao.registry.models import Unit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

D = dt.date
SEP = Month(2025, 9)
DUE = due_date_of(SEP)  # 2025-10-31


def contribution(unit: Unit, *, employer: int, personal: int, bill: Month = SEP) -> None:
    """One back-payment row of a new person billed in `bill` (its amounts as given)."""
    Contribution.objects.create(unit=unit, person=make_person(), month=202401,
                                bill_month=int(bill), kind="backpay",
                                pension_base=employer * 5, pension_employer=employer,
                                pension_personal=personal)


def charge(unit: Unit, amount: int, bill: Month = SEP, ref: str = "20250910ABCDEFGH") -> None:
    LateFeeCharge.objects.create(unit=unit, bill_month=int(bill), amount=amount,
                                 reason="补缴滞纳金", ref=ref)


def refresh(unit: Unit, bill: Month = SEP) -> UnitMonth:
    bills_refresh(bill, unit.id, unit.id)
    return UnitMonth.objects.get(unit=unit, month=int(bill))


def amounts(bill: UnitMonth) -> tuple[int, int, int, int]:
    return bill.employer, bill.personal, bill.late_fee, bill.total


# --- the bill -------------------------------------------------------------------------


@pytest.mark.django_db
def test_bill_total_includes_the_charges_of_its_unit_and_month_only():
    unit, other = make_unit(), make_unit()
    contribution(unit, employer=70_000, personal=30_000)
    charge(unit, 3_000)
    charge(unit, 2_000, ref="20250910ZZZZZZZZ")
    charge(unit, 999, bill=Month(2025, 10))  # another bill month
    charge(other, 777)  # another unit
    assert amounts(refresh(unit)) == (70_000, 30_000, 5_000, 105_000)


@pytest.mark.django_db
def test_a_unit_charged_without_contributions_in_that_month_gets_a_bill():
    unit = make_unit()
    charge(unit, 1_234)
    bill = refresh(unit)
    assert amounts(bill) == (0, 0, 1_234, 1_234)
    assert (bill.persons, bill.paid, bill.status, bill.due_date) == (0, 0, MonthStatus.OPEN,
                                                                     DUE)


@pytest.mark.django_db
def test_bills_without_charges_are_as_before():
    unit = make_unit()
    contribution(unit, employer=70_000, personal=30_000)
    assert amounts(refresh(unit)) == (70_000, 30_000, 0, 100_000)


@pytest.mark.django_db
def test_refreshing_again_changes_nothing_and_a_new_charge_is_added():
    unit = make_unit()
    contribution(unit, employer=70_000, personal=30_000)
    charge(unit, 5_000)
    first = amounts(refresh(unit))
    assert amounts(refresh(unit)) == first == (70_000, 30_000, 5_000, 105_000)
    charge(unit, 1_000)
    assert amounts(refresh(unit)) == (70_000, 30_000, 6_000, 106_000)
    assert UnitMonth.objects.filter(unit=unit).count() == 1


@pytest.fixture
def settled(db):
    """A unit with two people settled for 2025-09 (regular rows)."""
    unit = make_unit()
    people = [make_person() for _ in range(2)]
    for p in people:
        make_enrolment(p, unit, first=Month(2025, 1), wage=1_000_000, policy_years=(2025,))
    settlement_run(SEP, bill_month=SEP)
    return unit, people


@pytest.mark.django_db
def test_resettlement_keeps_the_late_fee_on_the_bill(settled):
    unit, _ = settled
    regular = UnitMonth.objects.get(unit=unit, month=int(SEP))
    assert regular.late_fee == 0 and regular.total == regular.employer + regular.personal
    charge(unit, 5_000)
    once = amounts(refresh(unit))
    assert once == (regular.employer, regular.personal, 5_000, regular.total + 5_000)
    settlement_run(SEP, bill_month=SEP)
    settlement_run(SEP, bill_month=SEP)
    assert amounts(UnitMonth.objects.get(unit=unit, month=int(SEP))) == once


@pytest.mark.django_db
def test_settlement_bills_a_unit_with_only_a_charge(settled):
    lone = make_unit()  # nobody enrolled, never billed, but charged in September
    charge(lone, 4_321)
    settlement_run(SEP, bill_month=SEP)
    assert amounts(UnitMonth.objects.get(unit=lone, month=int(SEP))) == (0, 0, 4_321, 4_321)


@pytest.mark.django_db
def test_a_closed_bill_never_takes_a_charge(settled):
    unit, _ = settled
    month_close(SEP)
    before = UnitMonth.objects.get(unit=unit, month=int(SEP))
    charge(unit, 5_000)
    bills_refresh(SEP, unit.id, unit.id)
    settlement_run(SEP, bill_month=Month(2025, 10))
    after = UnitMonth.objects.get(unit=unit, month=int(SEP))
    assert (amounts(after), after.status, after.settled_at) == (
        amounts(before), MonthStatus.CLOSED, before.settled_at)
    assert after.late_fee == 0


# --- late fees on arrears -------------------------------------------------------------


def bill(contributions: int, billed_late_fee: int, due: dt.date = DUE) -> UnitMonth:
    return UnitMonth(month=int(SEP), total=contributions + billed_late_fee,
                     late_fee=billed_late_fee, due_date=due)


def alloc(amount: int, paid: dt.date) -> Allocation:
    return Allocation(amount=amount, paid_date=paid)


@pytest.mark.django_db
def test_worked_example_no_late_fee_on_a_billed_late_fee():
    # 1,000.00 contributions + 50.00 late fee billed, unpaid 10 days past the due date at
    # 0.05% a day: 1,000.00 × 0.0005 × 10 = 5.00 (not 1,050.00 × 0.0005 × 10 = 5.25).
    as_of = DUE + dt.timedelta(days=10)
    assert bill_late_fee(bill(100_000, 5_000), [], as_of) == 500
    assert late_fee(105_000, DUE, as_of) == 525  # what it would be on the whole bill


@pytest.mark.django_db
def test_worked_example_through_the_bill_and_arrears():
    unit = make_unit()
    contribution(unit, employer=70_000, personal=30_000)
    charge(unit, 5_000)
    refresh(unit)
    (line,) = arrears_for_unit(unit.id, DUE + dt.timedelta(days=10))
    assert (line.total, line.paid, line.outstanding, line.days_overdue) == (105_000, 0,
                                                                            105_000, 10)
    assert (line.late_fee, line.billed_late_fee) == (500, 5_000)
    out = StringIO()
    call_command("arrears", unit=unit.number, as_of=str(DUE + dt.timedelta(days=10)),
                 stdout=out)
    assert "应缴 1,050.00（含已核定滞纳金 50.00） 已缴 0.00 欠缴 1,050.00" in out.getvalue()
    assert "逾期 10 天 滞纳金 5.00" in out.getvalue()


@pytest.mark.django_db
def test_a_partial_payment_pays_the_contributions_first():
    # 1,000.00 contributions + 50.00 late fee. 400.00 paid 4 days late: 400 × 0.0005 × 4
    # = 0.80; 600.00 more paid 10 days late: 600 × 0.0005 × 10 = 3.00; 50.00 (the billed
    # late fee) paid 30 days late adds nothing. Total 3.80 to any later date.
    b = bill(100_000, 5_000)
    a1, a2, a3 = (alloc(40_000, DUE + dt.timedelta(days=4)),
                  alloc(60_000, DUE + dt.timedelta(days=10)),
                  alloc(5_000, DUE + dt.timedelta(days=30)))
    # to day 4 all 1,000.00 is unpaid: 1,000 × 0.0005 × 4 = 2.00 (not on the 50.00)
    assert bill_late_fee(b, [a1], DUE + dt.timedelta(days=4)) == 200
    assert bill_late_fee(b, [a1], DUE + dt.timedelta(days=10)) == 80 + 300
    assert bill_late_fee(b, [a1, a2], DUE + dt.timedelta(days=60)) == 380
    # contributions paid in full: the unpaid 50.00 late fee does not accrue any more
    assert bill_late_fee(b, [a1, a2, a3], DUE + dt.timedelta(days=90)) == 380
    # one payment over the contributions and part of the late fee: fee on 1,000.00 only
    assert bill_late_fee(b, [alloc(102_000, DUE + dt.timedelta(days=10))],
                         DUE + dt.timedelta(days=40)) == 500
    # allocations are taken in payment-date order, whatever order they come in
    assert bill_late_fee(b, [a3, a2, a1], DUE + dt.timedelta(days=90)) == 380


@pytest.mark.django_db
def test_payments_settle_the_bill_and_credit_pensions_once_when_fully_paid(settled):
    unit, people = settled
    charge(unit, 5_000)
    b = refresh(unit)
    contributions = b.total - b.late_fee
    payment_record(PaymentInput(unit=unit, amount=contributions,
                                paid_date=DUE + dt.timedelta(days=10)))
    b.refresh_from_db()
    assert (b.paid, b.outstanding) == (contributions, 5_000)
    assert not AccountCredit.objects.exists()  # the bill is not fully paid yet
    (line,) = arrears_for_unit(unit.id, DUE + dt.timedelta(days=40))
    # the late fee stopped with the contributions, though 50.00 is still owed
    assert line.outstanding == 5_000
    assert line.late_fee == late_fee(contributions, DUE, DUE + dt.timedelta(days=10))
    payment_record(PaymentInput(unit=unit, amount=5_000 + 300,
                                paid_date=DUE + dt.timedelta(days=41)))
    b.refresh_from_db()
    assert (b.paid, b.outstanding) == (b.total, 0)
    assert sorted(AccountCredit.objects.values_list("person_id", "month", "base")) == sorted(
        (p.id, 202509, 1_000_000) for p in people)
    settlement_run(SEP, bill_month=SEP)  # re-settling the paid month credits nothing again
    assert AccountCredit.objects.count() == 2


# --- property: the fee is that of the contributions alone -----------------------------


def fee_day_by_day(contributions: int, due: dt.date, allocations: list[Allocation],
                   as_of: dt.date) -> int:
    """Independent reference: each day after the due date, the daily rate on the
    contributions still unpaid that day (payments count from the day after they were
    made), summed exactly and rounded half-up once."""
    total = Fraction(0)
    day = due + dt.timedelta(days=1)
    while day <= as_of:
        paid_before = sum(a.amount for a in allocations if a.paid_date < day)
        unpaid = max(contributions - paid_before, 0)
        total += Fraction(unpaid * late_fee_daily_at(Month.of(day)).value, PPM)
        day += dt.timedelta(days=1)
    return int(total + Fraction(1, 2))


def contribution_part(contributions: int, allocations: list[Allocation]) -> list[Allocation]:
    """What of each allocation (in payment-date order) paid contributions."""
    out, paid = [], 0
    for a in sorted(allocations, key=lambda a: a.paid_date):
        part = min(a.amount, max(contributions - paid, 0))
        if part:
            out.append(alloc(part, a.paid_date))
        paid += a.amount
    return out


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contributions=st.integers(1, 10**8), billed=st.integers(0, 10**7),
       due=st.dates(D(2010, 1, 1), D(2026, 1, 1)),
       payments=st.lists(st.tuples(st.integers(1, 5 * 10**7), st.integers(-40, 400)),
                         max_size=5),
       horizon=st.integers(-40, 450))
def test_fee_with_a_billed_late_fee_is_the_fee_of_the_contributions_alone(
        contributions, billed, due, payments, horizon):
    allocations = [alloc(amount, due + dt.timedelta(days=days)) for amount, days in payments]
    as_of = due + dt.timedelta(days=horizon)
    with_fee = bill_late_fee(bill(contributions, billed, due), allocations, as_of)
    # the same bill without the billed late fee, paid by the contribution part alone
    alone = bill_late_fee(bill(contributions, 0, due), contribution_part(
        contributions, [a for a in allocations if a.paid_date <= as_of]), as_of)
    assert with_fee == alone
    assert with_fee == fee_day_by_day(
        contributions, due, [a for a in allocations if a.paid_date <= as_of], as_of)


# --- a late bill's fee is charged once its contributions are paid ---------------------


def arrears_charges(unit: Unit) -> list[tuple[str, int, int]]:
    return list(LateFeeCharge.objects.filter(unit=unit, reason=ARREARS_LATE_FEE)
                .values_list("ref", "bill_month", "amount"))


@pytest.mark.django_db
def test_a_bill_paid_late_has_its_late_fee_charged_to_the_month_of_payment(settled):
    unit, _ = settled
    sep = refresh(unit)
    late = DUE + dt.timedelta(days=10)
    fee = late_fee(sep.total, DUE, late)
    assert fee > 0
    payment_record(PaymentInput(unit=unit, amount=sep.total, paid_date=late))
    nov = Month.of(late)
    assert arrears_charges(unit) == [("202509", int(nov), fee)]
    current = UnitMonth.objects.get(unit=unit, month=int(nov))
    assert amounts(current) == (0, 0, fee, fee) and current.paid == 0
    event = Event.objects.filter(action="payment_record").latest("id")
    assert event.after is not None and event.after["late_fee_charged"] == format_fen(fee)

    # The arrears query shows where the fee went and no longer counts it as pending.
    (line,) = arrears_for_unit(unit.id, late + dt.timedelta(days=30))
    assert (line.month, line.outstanding, line.late_fee) == (SEP, 0, fee)
    assert line.charged_in == nov and line.pending_late_fee == 0
    out = StringIO()
    call_command("arrears", unit=unit.number, as_of=str(late + dt.timedelta(days=30)),
                 stdout=out)
    assert f"滞纳金 {format_fen_grouped(fee)}（已计入 2025年11月应缴）" in out.getvalue()
    # As it was on a day before the payment, the bill was simply in arrears.
    (before,) = arrears_for_unit(unit.id, late - dt.timedelta(days=1))
    assert before.charged_in is None and before.outstanding == sep.total


@pytest.mark.django_db
def test_the_same_payment_goes_on_to_pay_the_charged_fee(settled):
    unit, _ = settled
    sep = refresh(unit)
    late = DUE + dt.timedelta(days=3)
    fee = late_fee(sep.total, DUE, late)
    payment = payment_record(PaymentInput(unit=unit, amount=sep.total + fee + 700,
                                          paid_date=late))
    current = UnitMonth.objects.get(unit=unit, month=int(Month.of(late)))
    assert (current.total, current.paid) == (fee, fee)
    assert payment.unallocated == 700


@pytest.mark.django_db
def test_on_time_or_partial_payments_charge_nothing(settled):
    unit, _ = settled
    sep = refresh(unit)
    payment_record(PaymentInput(unit=unit, amount=40_000, paid_date=DUE))  # on time
    payment_record(PaymentInput(unit=unit, amount=1_000, paid_date=DUE + dt.timedelta(days=5)))
    assert arrears_charges(unit) == []  # contributions not complete yet
    rest = sep.total - 41_000
    done = DUE + dt.timedelta(days=20)
    payment_record(PaymentInput(unit=unit, amount=rest, paid_date=done))
    # the fee of the parts paid late only, rounded once
    expected = round_fen(late_fee_exact(1_000, DUE, DUE + dt.timedelta(days=5))
                         + late_fee_exact(rest, DUE, done))
    assert arrears_charges(unit) == [("202509", int(Month.of(done)), expected)]


@pytest.mark.django_db
def test_paid_in_full_on_the_due_date_charges_nothing(settled):
    unit, _ = settled
    payment_record(PaymentInput(unit=unit, amount=refresh(unit).total, paid_date=DUE))
    assert arrears_charges(unit) == []


@pytest.mark.django_db
def test_the_fee_is_charged_on_the_contributions_not_on_a_billed_late_fee(settled):
    unit, _ = settled
    charge(unit, 5_000)  # a 补缴 late fee billed in September
    sep = refresh(unit)
    late = DUE + dt.timedelta(days=10)
    # the contributions alone, late: their fee is charged though 50.00 is still owed
    payment_record(PaymentInput(unit=unit, amount=sep.contributions_due, paid_date=late))
    assert arrears_charges(unit) == [
        ("202509", int(Month.of(late)), late_fee(sep.contributions_due, DUE, late))]
    payment_record(PaymentInput(unit=unit, amount=5_000, paid_date=late + dt.timedelta(days=9)))
    assert len(arrears_charges(unit)) == 1


@pytest.mark.django_db
def test_a_payment_imported_after_its_month_closed_is_charged_to_the_next_open(settled):
    unit, other = make_unit(), settled[0]
    sep = refresh(other)
    paid = DUE + dt.timedelta(days=2)  # 2025-11-02
    assert charge_month(paid) == Month(2025, 11)
    # November and December closed (for every unit; here another unit's bills)
    for month in (Month(2025, 11), Month(2025, 12)):
        UnitMonth.objects.create(unit=unit, month=int(month), due_date=due_date_of(month),
                                 settled_at=timezone.now(), status=MonthStatus.CLOSED)
    assert charge_month(paid) == Month(2026, 1)
    payment_record(PaymentInput(unit=other, amount=sep.total, paid_date=paid))
    assert arrears_charges(other) == [("202509", 202601, late_fee(sep.total, DUE, paid))]


@pytest.mark.django_db
def test_a_late_bills_fee_is_charged_once(settled):
    unit, _ = settled
    sep = refresh(unit)
    late = DUE + dt.timedelta(days=4)
    payment_record(PaymentInput(unit=unit, amount=sep.total, paid_date=late))
    sep.refresh_from_db()
    assert arrears_late_fee_charge(sep, late) == 0
    assert len(arrears_charges(unit)) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        LateFeeCharge.objects.create(unit=unit, bill_month=202512, amount=1,
                                     reason=ARREARS_LATE_FEE, ref="202509")


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.integers(1, 400_000), st.integers(-20, 300)),
                      min_size=1, max_size=4))
def test_the_charge_is_the_bills_late_fee_when_its_contributions_are_paid(settled, parts):
    unit, _ = settled  # each example's payments are rolled back below
    with transaction.atomic():
        sep = refresh(unit)
        paid, exact, last = 0, Fraction(0), DUE
        for amount, days in sorted(parts, key=lambda p: p[1]):
            day = DUE + dt.timedelta(days=days)
            part = min(amount, sep.total - paid)
            if part <= 0:
                break
            payment_record(PaymentInput(unit=unit, amount=part, paid_date=day))
            exact += late_fee_exact(part, DUE, day)
            paid, last = paid + part, day
        if paid < sep.total:
            payment_record(PaymentInput(unit=unit, amount=sep.total - paid,
                                        paid_date=last + dt.timedelta(days=1)))
            exact += late_fee_exact(sep.total - paid, DUE, last + dt.timedelta(days=1))
        charged = sum(a for _, _, a in arrears_charges(unit))
        assert charged == round_fen(exact)
        transaction.set_rollback(True)
