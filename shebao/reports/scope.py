"""The one way a query reaches a unit's people: from the unit. A person is the unit's
when they have an enrolment (参保关系) at it, current or ended; nobody else's row is
ever read. Guarded lookups by a person's public reference 404 outside the unit."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from shebao.registry.models import Enrolment, Person, Unit

from .filters import Filters


def unit_enrolments(unit: Unit) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(unit=unit)


def current_person_ids(unit: Unit, filters: Filters) -> QuerySet[Enrolment, Any]:
    """Person ids of the unit's enrolments not ended before this month (在职)."""
    return unit_enrolments(unit).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=int(filters.month))).values("person_id")


def unit_people(unit: Unit, filters: Filters) -> QuerySet[Person]:
    """The unit's people, current and former, narrowed by the person and status filters,
    by name then ID number."""
    people = Person.objects.filter(pk__in=unit_enrolments(unit).values("person_id"))
    if filters.status == "current":
        people = people.filter(pk__in=current_person_ids(unit, filters))
    elif filters.status == "former":
        people = people.exclude(pk__in=current_person_ids(unit, filters))
    return person_search(people, filters.person).order_by("name", "id_number")


M = TypeVar("M", bound=Model)


def person_search(rows: QuerySet[M], text: str, prefix: str = "") -> QuerySet[M]:
    """Narrow to a name containing `text` or an ID number starting with it (of the
    person at `prefix`: "person__" for rows that belong to a person)."""
    if not text:
        return rows
    return rows.filter(Q(**{f"{prefix}name__contains": text})
                         | Q(**{f"{prefix}id_number__startswith": text.upper()}))


def unit_person(unit: Unit, ref: str) -> Person:
    """One of the unit's people by public reference; 404 for anyone else's."""
    person = Person.objects.filter(ref=ref, pk__in=unit_enrolments(unit).values("person_id")) \
        .first()
    if person is None:
        raise Http404
    return person
