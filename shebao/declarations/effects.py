"""What an effective declaration changes: enrolments, wage bases, back-payment rows and
late fees.

Called only from `services` inside the transaction that makes a declaration effective.
Registry writes go through `registry.services`; contributions through the engine.

Set-based: a 100,000-line 增员 file is applied with a bounded number of queries per
5,000 lines (persons looked up with `IN (…)` and created, enrolments and wage bases
written, each with one executemany per chunk, by the registry's services; the lines'
person set by one UPDATE), not
several queries per line. The result is the same as applying the lines one by one in
line order (tests/test_effects_bulk.py compares the two).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.db.models import OuterRef, Subquery, prefetch_related_objects

from shebao.contributions.backpay import backpay_quote
from shebao.contributions.columns import row_values
from shebao.contributions.models import Contribution, ContributionKind, LateFeeCharge
from shebao.contributions.settlement import bills_refresh
from shebao.lib.periods import Month
from shebao.policy.selectors import policy_at
from shebao.registry.choices import WageSource
from shebao.registry.models import Person, Unit
from shebao.registry.services import (
    PersonEntry,
    enrolments_close,
    enrolments_open,
    person_ids,
    persons_ensure,
    wage_bases_set,
)

from .backpay import line_wages
from .changes import change_apply
from .models import CHANGE_KINDS, Declaration, DeclarationKind, DeclarationLine

# Rows per INSERT of the back-payment rows, charges and lines.
CHUNK = 5000


class Line(NamedTuple):
    """What apply reads of a declaration line: plain values, cheaper to load than model
    instances (100,000 of them)."""

    line_no: int
    id_number: str
    name: str
    data: dict[str, Any]


def _persons_require(lines: Sequence[Line] | Sequence[DeclarationLine]) -> dict[str, int]:
    """Person ids of the lines, all of which must be in the registry (减员, 工资, 补缴)."""
    ids = person_ids(ln.id_number for ln in lines)
    for line in lines:
        if line.id_number not in ids:
            raise Person.DoesNotExist(f"第 {line.line_no} 行的人员不在参保人名册中")
    return ids


def _persons_ensure(lines: Sequence[Line]) -> dict[str, int]:
    """Person ids of the lines; a person not yet in the registry is created from the
    first line naming them."""
    return persons_ensure([PersonEntry(ln.id_number, ln.name, ln.data["hukou"],
                                       ln.data.get("phone", "")) for ln in lines])


def _lines_link(declaration: Declaration) -> None:
    """Every line's person FK, in one UPDATE (the persons exist by now)."""
    declaration.lines.update(person_id=Subquery(
        Person.objects.filter(id_number=OuterRef("id_number")).values("pk")[:1]))


def enrol_lines_apply(unit: Unit, lines: Sequence[Line]) -> None:
    """增员: open an enrolment per insurance of the unit from the start month; the first
    full month's wage becomes the base of that policy year (new hires)."""
    ids = _persons_ensure(lines)
    years: dict[str, int] = {}
    starts: list[tuple[int, int, str]] = []
    wages: dict[tuple[int, int], int] = {}
    for line in lines:
        person_id, start, reason = ids[line.id_number], line.data["start"], line.data["reason"]
        if start not in years:
            years[start] = policy_at(Month.parse(start)).year_label
        starts.append((person_id, int(Month.parse(start)), reason))
        wages[(person_id, years[start])] = int(line.data["wage"])  # a later line wins
    enrolments_open(unit, starts)
    wage_bases_set(unit, wages, WageSource.NEW_HIRE)


def leave_lines_apply(unit: Unit, lines: Sequence[Line]) -> None:
    """减员: close the person's open enrolments in this unit after the last month."""
    ids = _persons_require(lines)
    # A person's first line closes their enrolments; a later line finds none open.
    groups: dict[tuple[int, str], list[int]] = {}
    done: set[int] = set()
    for line in lines:
        person_id = ids[line.id_number]
        if person_id not in done:
            done.add(person_id)
            key = (int(Month.parse(line.data["end"])), line.data["reason"])
            groups.setdefault(key, []).append(person_id)
    enrolments_close(unit, groups)


def wage_declaration_year(declaration: Declaration) -> int:
    """The policy year whose bases a 缴费工资申报 sets: that of the declaration window it
    was made in (older declarations without one: that of its effective month)."""
    if declaration.policy_year:
        return declaration.policy_year
    if not declaration.effective_month:
        return 0
    return policy_at(Month.from_int(declaration.effective_month)).year_label


def wage_lines_apply(unit: Unit, lines: Sequence[Line], policy_year: int) -> None:
    """缴费工资申报: the declared wage is the base of the policy year (replacing a 110%
    default; settled months of that year are corrected by re-settlement or 补差)."""
    ids = _persons_require(lines)
    wages = {(ids[line.id_number], policy_year): int(line.data["wage"]) for line in lines}
    wage_bases_set(unit, wages, WageSource.DECLARED)


# The reason of the late fee charge of a 补缴 (LateFeeCharge.reason).
BACKPAY_LATE_FEE = "补缴滞纳金"


def backpay_lines_apply(unit: Unit, lines: Sequence[DeclarationLine], today: dt.date,
                        *, ref: str) -> None:
    """补缴: back-payment rows for each month under its own rules and each line's late
    fee (a charge with the declaration's receipt number `ref`), billed this month.
    Reviewed and small, so quoted line by line; the rows, charges, lines and bill
    written once."""
    ids = _persons_require(lines)
    persons = Person.objects.in_bulk(set(ids.values()))
    prefetch_related_objects([unit], "injury_rates")  # read by every quote
    bill = Month.of(today)
    rows: list[Contribution] = []
    charges: list[LateFeeCharge] = []
    for line in lines:
        person = persons[ids[line.id_number]]
        quote = backpay_quote(person=person, unit=unit, wages=line_wages(line.data),
                              as_of=today)
        rows += [Contribution(unit=unit, person=person, month=int(item.month),
                              bill_month=int(bill), kind=ContributionKind.BACKPAY,
                              **row_values(item.calc.lines))
                 for item in quote.months]
        if quote.late_fee_total > 0:
            charges.append(LateFeeCharge(unit=unit, bill_month=int(bill),
                                         amount=quote.late_fee_total,
                                         reason=BACKPAY_LATE_FEE, ref=ref))
        line.data = {**line.data, "total": quote.total, "late_fee": quote.late_fee_total,
                     "account_credit": quote.account_credit_total}
        line.person = person
    Contribution.objects.bulk_create(rows, batch_size=CHUNK)
    LateFeeCharge.objects.bulk_create(charges, batch_size=CHUNK)
    DeclarationLine.objects.bulk_update(lines, ["person", "data"], batch_size=CHUNK)
    bills_refresh(bill, unit.id, unit.id)


def declaration_apply(declaration: Declaration, today: dt.date) -> None:
    """Everything an effective declaration changes, by kind (inside the caller's
    transaction)."""
    unit = declaration.unit
    if declaration.kind in CHANGE_KINDS:
        change_apply(declaration)
        return
    if declaration.kind == DeclarationKind.BACKPAY:
        backpay_lines_apply(unit, list(declaration.lines.order_by("line_no")), today,
                            ref=declaration.receipt_no or "")
        return
    lines = [Line(*row) for row in declaration.lines.order_by("line_no")
             .values_list("line_no", "id_number", "name", "data")]
    if declaration.kind == DeclarationKind.ENROL:
        enrol_lines_apply(unit, lines)
    elif declaration.kind == DeclarationKind.LEAVE:
        leave_lines_apply(unit, lines)
    elif declaration.kind == DeclarationKind.WAGE:
        wage_lines_apply(unit, lines, wage_declaration_year(declaration))
    else:
        return
    _lines_link(declaration)
