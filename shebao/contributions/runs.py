"""Settlement runs (核定批次): the record that makes a monthly run atomic to its readers.

Settlement commits batch by batch (one transaction per batch of units), so a run killed
half-way leaves some units re-settled and others not. The run's record says so: until
it has finished, the open bills of its month and of the bill month of its differences
are provisional (核定中). They count for no payment allocation, no arrears and no close
(`bill_provisional`), and `month_close` refuses the month. The next run of the month
continues the record and settles every unit again, so it leaves what a clean run leaves.
Closed bills never change and are always final.
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.periods import Month

from .models import MonthStatus, SettlementRun, UnitMonth


class SettlementError(Exception):
    """The month cannot be settled or closed; the message is Chinese."""


def runs_unfinished() -> QuerySet[SettlementRun]:
    return SettlementRun.objects.filter(finished_at__isnull=True).order_by("month")


def bill_provisional() -> Q:
    """The bills that are not final: open bills of a month that an unfinished run is
    writing (as its month or as the bill month of its differences). One uncorrelated
    subquery on the few unfinished runs, inside the caller's query."""
    unfinished = SettlementRun.objects.filter(finished_at__isnull=True)
    return Q(status=MonthStatus.OPEN) & (Q(month__in=unfinished.values("month"))
                                         | Q(month__in=unfinished.values("bill_month")))


def run_start(month: Month, bill: Month, *, actor: Actor) -> SettlementRun:
    """Record the start of a run of `month`, or continue the month's unfinished run (a
    run killed half-way) with the same bill month. Committed before any batch."""
    m, b, now = int(month), int(bill), timezone.now()
    try:
        with transaction.atomic():
            run = (SettlementRun.objects.select_for_update()
                   .filter(month=m, finished_at__isnull=True).first())
            if run is not None and run.bill_month != b:
                raise SettlementError(
                    f"{month} 上次核定（补差记入 {Month.from_int(run.bill_month)}）尚未完成，"
                    f"请以相同的补差核定月份 {Month.from_int(run.bill_month)} 重新核定")
            if run is None:
                run = SettlementRun.objects.create(month=m, bill_month=b, started_at=now)
                action = "settlement_run_start"
            else:
                run.attempts += 1
                run.units_done = 0
                run.save(update_fields=["attempts", "units_done"])
                action = "settlement_run_restart"
            event_record(actor=actor, action=action, object_type="month",
                         object_ref=str(month),
                         after={"bill_month": str(bill), "attempt": run.attempts})
    except IntegrityError as exc:  # another process started the month's run meanwhile
        raise SettlementError(f"{month} 正在核定中，请稍后再试") from exc
    return run


def run_progress(run: SettlementRun, *, done: int, total: int) -> None:
    """Units settled so far; called inside each batch's transaction."""
    run.units_done, run.units_total = done, total
    SettlementRun.objects.filter(pk=run.pk).update(units_done=done, units_total=total)


def run_finish(run: SettlementRun, *, total: int) -> None:
    """The run has settled every unit: its bills are final (inside the caller's
    transaction, with the run's audit event)."""
    run.units_done = run.units_total = total
    run.finished_at = timezone.now()
    run.save(update_fields=["units_done", "units_total", "finished_at"])


def close_refusal(month: Month) -> str | None:
    """Why `month` may not be closed (Chinese), or None: it was never settled, or a run
    writing its bills has not finished."""
    m = int(month)
    run = runs_unfinished().filter(Q(month=m) | Q(bill_month=m)).first()
    if run is not None:
        return f"{month} 不能关账。{run.notice}"
    if not SettlementRun.objects.filter(month=m).exists():
        return f"{month} 尚未核定，不能关账。请先执行核定：shebao settle {month}"
    return None


def month_close(month: Month, *, actor: Actor = SYSTEM) -> int:
    """Close a settled month: its rows and bills never change again. Refused (with the
    Chinese reason) while the month was never settled or a run writing its bills has
    not finished (`runs.close_refusal`)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # no run starts or finishes between the check and the close
            with connection.cursor() as cur:
                cur.execute("LOCK TABLE contributions_settlementrun IN SHARE MODE")
        refusal = close_refusal(month)
        if refusal:
            raise SettlementError(refusal)
        count = UnitMonth.objects.filter(month=int(month), status=MonthStatus.OPEN).update(
            status=MonthStatus.CLOSED, closed_at=timezone.now()
        )
        event_record(actor=actor, action="month_close", object_type="month",
                     object_ref=str(month), after={"units": count})
    return count


def bills_final(month: Month) -> QuerySet[UnitMonth]:
    """The month's bills that are final (all of them once its runs have finished)."""
    return UnitMonth.objects.filter(month=int(month)).exclude(bill_provisional())
