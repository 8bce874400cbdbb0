"""Driver of the crash tests (shebao/tests/crash.py), run in a subprocess against the
database of SHEBAO_DATABASE_URL:

    python -m shebao.tests.crash_driver submit DRAFT_PK YYYY-MM-DD
        submit a draft (signed=None), as the confirm step does; print its receipt
        number and status, or the refusal (JSON)
    python -m shebao.tests.crash_driver snapshot UNIT_NUMBER YEAR
        print the state (JSON): the unit's declarations, the registry, YEAR's accounts
    python -m shebao.tests.crash_driver clean OPERATION ARGS… UNIT_NUMBER YEAR
        a clean run of `submit DRAFT_PK DAY` or `close-year YEAR` in a transaction:
        print the state it leaves, then roll it back
    python -m shebao.tests.crash_driver settled YYYY-MM
        print the month's settlement state (JSON): its contribution rows, every bill,
        the bills of the month that are final, the runs, the wage bases
    python -m shebao.tests.crash_driver events
        print the audit events' actions in order (JSON)
    python -m shebao.tests.crash_driver clean-settle YYYY-MM BILL_MONTH BATCH_SIZE
        a clean `settlement_run` in a transaction: print the `settled` state it leaves,
        then roll it back

The state is told by natural keys (ID numbers, unit numbers, months), not row ids, so a
run and a clean run compare equal when they wrote the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any


class _RolledBack(Exception):
    pass


def snapshot(unit_number: str, year: int) -> dict[str, Any]:
    from shebao.audit.models import Event
    from shebao.declarations.models import Declaration, DeclarationLine
    from shebao.pension.models import AccountYear
    from shebao.registry.models import Enrolment, Person, WageBase

    def rows(queryset: Any, *fields: str) -> list[list[Any]]:
        return sorted([[str(v) for v in row] for row in queryset.values_list(*fields)])

    return {
        "declarations": rows(Declaration.objects.filter(unit__number=unit_number),
                             "kind", "status", "effective_month"),
        "lines_linked": DeclarationLine.objects.filter(
            declaration__unit__number=unit_number, person__isnull=False).count(),
        "persons": rows(Person.objects.all(), "id_number", "name", "sex", "birth_date",
                        "hukou", "phone"),
        "enrolments": rows(Enrolment.objects.all(), "person__id_number", "unit__number",
                           "insurance", "first_month", "last_month", "start_reason",
                           "end_reason"),
        "wage_bases": rows(WageBase.objects.all(), "person__id_number", "unit__number",
                           "policy_year", "wage", "source"),
        "account_years": rows(AccountYear.objects.filter(year=year), "person__id_number",
                              "opening", "months_paid", "average_base", "credits",
                              "interest_opening", "interest_credits", "closing",
                              "cumulative_months", "rate_ppm", "source"),
        "events": rows(Event.objects.all(), "action", "object_type"),
    }


def settled(month_text: str) -> dict[str, Any]:
    from shebao.contributions.columns import COLUMNS
    from shebao.contributions.models import Contribution, SettlementRun, UnitMonth
    from shebao.contributions.runs import bills_final
    from shebao.lib.periods import Month
    from shebao.registry.models import WageBase

    month = Month.parse(month_text)
    m = int(month)

    def rows(queryset: Any, *fields: str) -> list[list[Any]]:
        return sorted([[str(v) for v in row] for row in queryset.values_list(*fields)])

    return {
        "contributions": rows(Contribution.objects.filter(month=m), "unit__number",
                              "person__id_number", "month", "bill_month", "kind",
                              *COLUMNS),
        "bills": rows(UnitMonth.objects.all(), "unit__number", "month", "status",
                      "persons", "employer", "personal", "late_fee", "total", "paid"),
        "final": rows(bills_final(month), "unit__number"),
        "runs": sorted([str(r.month), str(r.bill_month), str(r.units_total),
                        str(r.units_done), str(r.finished_at is not None)]
                       for r in SettlementRun.objects.all()),
        "wage_bases": rows(WageBase.objects.all(), "person__id_number", "unit__number",
                           "policy_year", "wage", "source"),
    }


def run(op: str, args: list[str]) -> dict[str, Any]:
    from shebao.audit.services import Actor

    if op == "submit":
        from shebao.declarations.errors import DeclarationError
        from shebao.declarations.models import Declaration
        from shebao.declarations.services import declaration_submit

        draft = Declaration.objects.get(pk=int(args[0]))
        try:
            done = declaration_submit(draft, signed=None,
                                      actor=Actor("unit", draft.unit.number),
                                      today=dt.date.fromisoformat(args[1]), cutoff_day=25)
        except DeclarationError as exc:
            return {"refused": str(exc)}
        return {"receipt_no": done.receipt_no, "status": done.status}
    elif op == "close-year":
        from shebao.pension.services import account_close_year

        return {"closed": account_close_year(int(args[0]))}
    raise SystemExit(f"unknown operation {op}")


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.db import transaction

    command, args = argv[0], argv[1:]
    if command == "snapshot":
        print(json.dumps(snapshot(args[0], int(args[1]))))
    elif command == "submit":
        print(json.dumps(run("submit", args), ensure_ascii=False))
    elif command == "clean":
        op, op_args, (unit_number, year) = args[0], args[1:-2], args[-2:]
        state: dict[str, Any] = {}
        try:
            with transaction.atomic():
                run(op, op_args)
                state = snapshot(unit_number, int(year))
                raise _RolledBack
        except _RolledBack:
            pass
        print(json.dumps(state))
    elif command == "events":
        from shebao.audit.models import Event

        print(json.dumps(list(Event.objects.order_by("seq").values_list("action", flat=True))))
    elif command == "settled":
        print(json.dumps(settled(args[0])))
    elif command == "clean-settle":
        from shebao.contributions.settlement import settlement_run
        from shebao.lib.periods import Month

        try:
            with transaction.atomic():
                settlement_run(Month.parse(args[0]), bill_month=Month.parse(args[1]),
                               batch_size=int(args[2]))
                state = settled(args[0])
                raise _RolledBack
        except _RolledBack:
            pass
        print(json.dumps(state))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
