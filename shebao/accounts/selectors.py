"""Reads for identity pages, each scoped by who is asking.

`person_profile` answers "本人基本信息" for the signed-in person only: the person comes
from the principal, never from a URL, so there is nothing to guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from shebao.lib.periods import Month
from shebao.policy.insurances import FULL_NAMES, ORDER
from shebao.registry.models import Enrolment, Person

from . import lockout
from .models import PersonCredential
from .principal import Principal


@dataclass(frozen=True, slots=True)
class EnrolmentLine:
    insurance: str  # full Chinese name
    unit_name: str
    unit_number: str
    first_month: Month


@dataclass(frozen=True, slots=True)
class PersonProfile:
    person: Person
    enrolments: list[EnrolmentLine]


def person_profile(principal: Principal) -> PersonProfile:
    """The person's basic information and current enrolments: two queries."""
    if not principal.is_person or principal.person_id is None:
        raise Http404
    person = Person.objects.filter(pk=principal.person_id).first()
    if person is None:
        raise Http404
    order = {ins.value: i for i, ins in enumerate(ORDER)}
    rows = sorted(Enrolment.objects.filter(person=person, last_month__isnull=True)
                  .select_related("unit").only("insurance", "first_month", "unit__name",
                                               "unit__number"),
                  key=lambda e: order.get(e.insurance, len(order)))
    lines = [EnrolmentLine(FULL_NAMES.get(e.insurance, e.insurance), e.unit.name,
                           e.unit.number, Month.from_int(e.first_month)) for e in rows]
    return PersonProfile(person, lines)


@dataclass(frozen=True, slots=True)
class CredentialStatus:
    """What the back office shows about a person's query password (never the secrets)."""

    has_password: bool
    password_set_at: dt.datetime | None
    letter_issued_at: dt.datetime | None
    code_expires_at: dt.datetime | None
    code_pending: bool
    last_login_at: dt.datetime | None
    locked_until: dt.datetime | None


def person_credential_status(person: Person) -> CredentialStatus:
    cred = PersonCredential.objects.filter(person=person).first()
    locked = lockout.lock_until(lockout.PERSON, person.id_number)
    if cred is None:
        return CredentialStatus(False, None, None, None, False, None, locked)
    return CredentialStatus(cred.has_password, cred.password_set_at, cred.activation_issued_at,
                            cred.activation_expires_at, cred.has_activation_code,
                            cred.last_login_at, locked)
