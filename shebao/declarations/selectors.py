"""Reads of declarations, each scoped the one way its caller may see them.

A unit reaches its declarations only through `declaration_for_unit` (another unit's
receipt number is simply not found); staff through `declaration_by_receipt`; anyone
through `declaration_by_code`, which the verification page shows without personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from shebao.lib.periods import Month, PeriodError
from shebao.registry.models import Unit

from .batchfiles.billed import months_text
from .models import Declaration, DeclarationKind, DeclarationLine, Status

CODE_LENGTH = 12


def unit_declarations(unit: Unit, *, kind: str = "", status: str = "", id_number: str = "",
                      since: dt.date | None = None,
                      until: dt.date | None = None) -> QuerySet[Declaration]:
    """The unit's submitted declarations, newest first (drafts are not listed); optionally
    of one kind or status, holding a line of one person, submitted within local dates."""
    rows = Declaration.objects.filter(unit=unit).exclude(status=Status.DRAFT)
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        rows = rows.filter(status=status)
    if id_number:
        rows = rows.filter(pk__in=DeclarationLine.objects.filter(
            id_number=id_number, declaration__unit=unit).values("declaration_id"))
    if since:
        rows = rows.filter(submitted_at__gte=_day_start(since))
    if until:
        rows = rows.filter(submitted_at__lt=_day_start(until + dt.timedelta(days=1)))
    return rows.order_by("-created_at", "-id")


def unit_drafts(unit: Unit) -> QuerySet[Declaration]:
    """The unit's drafts not yet submitted, newest first, each with its `line_total`."""
    return (Declaration.objects.filter(unit=unit, status=Status.DRAFT)
            .annotate(line_total=Count("lines")).order_by("-created_at", "-id"))


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of a local (Beijing) date, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def declaration_for_unit(unit: Unit, receipt_no: str) -> Declaration:
    declaration = (Declaration.objects.select_related("unit")
                   .filter(unit=unit, receipt_no=receipt_no).first())
    if declaration is None:
        raise Http404
    return declaration


def declaration_by_receipt(receipt_no: str) -> Declaration:
    """Staff: any submitted declaration by its receipt number."""
    declaration = (Declaration.objects.select_related("unit")
                   .filter(receipt_no=receipt_no).first())
    if declaration is None:
        raise Http404
    return declaration


def declaration_by_code(code: str) -> Declaration | None:
    return (Declaration.objects.select_related("unit")
            .filter(verification_code=code).exclude(status=Status.DRAFT).first())


def review_queue() -> QuerySet[Declaration]:
    """Declarations waiting for review, oldest first."""
    return (Declaration.objects.select_related("unit").filter(status=Status.REVIEWING)
            .order_by("submitted_at", "id"))


def line_counts(declarations: list[Declaration]) -> dict[int, int]:
    """Lines per declaration for one page of a list: one grouped query."""
    rows = (DeclarationLine.objects.filter(declaration_id__in=[d.pk for d in declarations])
            .values("declaration_id").annotate(n=Count("id")))
    return {r["declaration_id"]: r["n"] for r in rows}


def normalize_code(text: str) -> str:
    """A verification code as typed: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in text.upper() if ch not in " -\u3000\t")


def draft_for_unit(unit: Unit, token: str) -> Declaration:
    """A declaration of the unit by its draft handle (submitted ones too: their page
    forwards to the receipt). Another unit's handle is simply not found."""
    declaration = (Declaration.objects.select_related("unit")
                   .filter(unit=unit, draft_token=token).first())
    if declaration is None:
        raise Http404
    return declaration


# --- 补缴 under review naming the same months ---------------------------------------------

PENDING = (Status.SUBMITTED, Status.REVIEWING)
OVERLAPS_SHOWN = 200


@dataclass(frozen=True)
class Overlap:
    """A line of this 补缴 and a line of another one of the same unit, not yet decided,
    that back-pay the same person for some of the same months."""

    line_no: int
    id_number: str
    name: str
    months: str
    receipt_no: str
    other_line_no: int
    submitted_at: dt.datetime | None
    status: str


def _months(data: dict[str, Any]) -> set[int]:
    try:
        first, last = Month.parse(str(data["start"])), Month.parse(str(data["end"]))
    except (KeyError, PeriodError):
        return set()
    return {int(first.add(i)) for i in range(last - first + 1)} if first <= last else set()


def backpay_overlaps(declaration: Declaration) -> list[Overlap]:
    """The months this 补缴 shares with the unit's other 补缴 still waiting for a decision
    (submitted or under review), line by line, earliest submitted first: the reviewer
    approves at most one of them for a month (approval refuses the second, decision
    0010). Two queries whatever the number of lines; at most OVERLAPS_SHOWN rows."""
    if declaration.kind != DeclarationKind.BACKPAY:
        return []
    others = list(DeclarationLine.objects.filter(
        declaration__unit_id=declaration.unit_id, declaration__kind=DeclarationKind.BACKPAY,
        declaration__status__in=PENDING,
        id_number__in=declaration.lines.values("id_number"),
    ).exclude(declaration_id=declaration.pk).order_by(
        "declaration__submitted_at", "declaration_id", "line_no").values_list(
        "id_number", "line_no", "data", "declaration__receipt_no",
        "declaration__submitted_at", "declaration__status"))
    if not others:
        return []
    mine = declaration.lines.filter(id_number__in={o[0] for o in others}).order_by(
        "line_no").values_list("line_no", "id_number", "name", "data")
    by_person: dict[str, list[tuple[int, str, set[int]]]] = {}
    for line_no, id_number, name, data in mine:
        by_person.setdefault(id_number, []).append((line_no, name, _months(data)))
    found: list[Overlap] = []
    for id_number, other_no, data, receipt_no, submitted_at, status in others:
        theirs = _months(data)
        for line_no, name, months in by_person.get(id_number, []):
            shared = months & theirs
            if shared:
                found.append(Overlap(line_no, id_number, name, months_text(shared),
                                     receipt_no or "", other_no, submitted_at,
                                     Status(status).label))
    return found[:OVERLAPS_SHOWN]
