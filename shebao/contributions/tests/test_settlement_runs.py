"""Settlement runs (issue 11, item 6): a run is recorded; until it has finished its open
bills are not final (no payment, no arrears, no close); the next run continues it and
leaves what a clean run leaves. A run stopped half-way is made here by a progress
callback that raises after the first batch, committed like a killed run's batches (the
kill -9 itself: test_crash_settlement.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from shebao.audit.models import Event
from shebao.contributions.arrears import arrears_for_unit, units_in_arrears
from shebao.contributions.models import MonthStatus, Payment, SettlementRun, UnitMonth
from shebao.contributions.payments import PaymentInput, payment_record
from shebao.contributions.runs import bills_final, runs_unfinished
from shebao.contributions.settlement import SettlementError, month_close, settlement_run
from shebao.lib.periods import Month
from shebao.registry.models import WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG = Month(2025, 8)
SEP = Month(2025, 9)


class Stop(Exception):
    pass


def stop_after_first_batch(done: int, total: int) -> None:
    raise Stop


@pytest.fixture
def units():
    made = []
    for wage in (1_000_000, 1_500_000, 2_000_000):
        unit = make_unit()
        make_enrolment(make_person(), unit, first=Month(2024, 1), wage=wage,
                       policy_years=(2025,))
        made.append(unit)
    return made


def totals() -> list[tuple[int, int, str, int]]:
    return sorted(UnitMonth.objects.values_list("unit_id", "month", "status", "total"))


def interrupted(month: Month = AUG, bill: Month = AUG) -> None:
    with pytest.raises(Stop):
        settlement_run(month, bill_month=bill, batch_size=1, progress=stop_after_first_batch)


def test_a_run_is_recorded_with_its_units_and_end(units):
    settlement_run(AUG, bill_month=AUG, batch_size=2)
    run = SettlementRun.objects.get()
    assert (run.month, run.bill_month, run.units_done, run.units_total, run.attempts) == (
        int(AUG), int(AUG), 3, 3, 1)
    assert run.finished_at is not None and run.started_at <= run.finished_at
    assert list(Event.objects.order_by("seq").values_list("action", flat=True)) == [
        "settlement_run_start", "settlement_run"]


def test_an_interrupted_run_leaves_no_final_bill_and_the_next_run_finishes_it(units):
    settlement_run(AUG, bill_month=AUG)
    clean = totals()
    WageBase.objects.update(wage=3_000_000)
    interrupted()
    run = runs_unfinished().get()
    assert (run.units_done, run.units_total) == (1, 3)
    assert UnitMonth.objects.filter(month=int(AUG)).count() == 3
    assert not bills_final(AUG).exists()
    # resumed by the next run: the record continues, the totals are those of a clean run
    settlement_run(AUG, bill_month=AUG, batch_size=1)
    run.refresh_from_db()
    assert (run.units_done, run.finished_at is not None, run.attempts) == (3, True, 2)
    assert bills_final(AUG).count() == 3
    finished = totals()
    assert finished != clean
    settlement_run(AUG, bill_month=AUG)  # a clean run on the same data changes nothing
    assert totals() == finished
    assert list(Event.objects.filter(action__startswith="settlement_run")
                .order_by("seq").values_list("action", flat=True)) == [
        "settlement_run_start", "settlement_run",
        "settlement_run_start",  # the interrupted run
        "settlement_run_restart", "settlement_run",
        "settlement_run_start", "settlement_run"]


def test_close_month_refuses_a_month_whose_run_has_not_finished(units, capsys):
    interrupted()
    before = totals()
    with pytest.raises(SettlementError,
                       match="2025-08 不能关账。2025年08月月度核定未完成：已核定 1/3"):
        month_close(AUG)
    with pytest.raises(SystemExit) as exit_:
        call_command("close_month", "2025-08")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "不能关账" in err and "shebao settle 2025-08" in err
    assert totals() == before
    assert not Event.objects.filter(action="month_close").exists()
    settlement_run(AUG, bill_month=AUG)
    assert month_close(AUG) == 3


def test_close_month_refuses_a_month_never_settled(units):
    with pytest.raises(SettlementError, match="2025-08 尚未核定，不能关账"):
        month_close(AUG)


def test_the_bill_month_of_unfinished_differences_cannot_be_closed(units):
    settlement_run(AUG, bill_month=AUG)
    month_close(AUG)
    settlement_run(SEP, bill_month=SEP)
    WageBase.objects.update(wage=3_000_000)
    interrupted(AUG, SEP)
    with pytest.raises(SettlementError, match="补差核定（补差记入2025年09月）未完成"):
        month_close(SEP)
    # the closed August bills stay final; September's open ones are not
    assert bills_final(AUG).count() == 3 and not bills_final(SEP).exists()
    with pytest.raises(SettlementError, match="请以相同的补差核定月份 2025-09 重新核定"):
        settlement_run(AUG, bill_month=Month(2025, 10))
    settlement_run(AUG, bill_month=SEP)
    assert month_close(SEP) == 3


def test_provisional_bills_count_for_no_payment_and_no_arrears(units):
    unit = units[0]
    settlement_run(AUG, bill_month=AUG)
    interrupted()
    late = dt.date(2025, 10, 20)  # after August's due date
    assert unit.id not in units_in_arrears(late)
    assert arrears_for_unit(unit.id, late) == []
    bill = UnitMonth.objects.get(unit=unit, month=int(AUG))
    payment = payment_record(PaymentInput(unit=unit, amount=bill.total,
                                          paid_date=dt.date(2025, 9, 10)))
    assert payment.unallocated == bill.total  # not applied to a provisional bill
    assert UnitMonth.objects.get(pk=bill.pk).paid == 0
    # the run finishes: the bill is final, and the money waiting goes to it
    settlement_run(AUG, bill_month=AUG)
    bill.refresh_from_db()
    assert (bill.paid, bill.total, bill.status) == (bill.total, bill.total, MonthStatus.OPEN)
    assert Payment.objects.get(pk=payment.pk).unallocated == 0
    # final now: the unpaid bills of the others are arrears, this one is paid
    assert units_in_arrears(late) == {units[1].id, units[2].id}
    (_, last) = Event.objects.filter(action="settlement_run").order_by("seq")
    assert (last.after or {}).get("unallocated_applied") == bill.total
