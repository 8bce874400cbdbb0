"""Lockout after consecutive login failures, per typed identifier and realm.

Five failures in a row lock the identifier for 15 minutes; a success clears the count.
Attempts while locked are refused before any password is checked and do not extend
the lock. Rows are keyed by `secretbox.ident_digest`, so an identifier nobody holds
locks the same way as a registered one. Rows untouched for a day are forgotten.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import LoginLock
from .secretbox import ident_digest

MAX_FAILURES = 5
LOCK_DURATION = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(days=1)

PERSON = "person"
PERSON_ACTIVATE = "person_activate"
STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Failure:
    failures: int  # consecutive failures so far (0 once the lock is set)
    locked_until: dt.datetime | None  # set when this failure started a lock


def lock_until(realm: str, identifier: str, *, now: dt.datetime | None = None
               ) -> dt.datetime | None:
    """When the identifier's lock ends, or None if it is not locked now."""
    now = now or timezone.now()
    until = (LoginLock.objects.filter(realm=realm, ident=ident_digest(realm, identifier))
             .values_list("locked_until", flat=True).first())
    return until if until is not None and until > now else None


def failure_record(realm: str, identifier: str, *, now: dt.datetime | None = None) -> Failure:
    """Count one failure; the fifth in a row locks the identifier for LOCK_DURATION."""
    now = now or timezone.now()
    with transaction.atomic():
        lock, _ = LoginLock.objects.select_for_update().get_or_create(
            realm=realm, ident=ident_digest(realm, identifier), defaults={"updated_at": now})
        if lock.locked_until is not None and lock.locked_until > now:
            return Failure(lock.failures, None)  # already locked: not counted again
        if lock.locked_until is not None or now - lock.updated_at > FORGET_AFTER:
            lock.failures, lock.locked_until = 0, None
        lock.failures += 1
        started = None
        if lock.failures >= MAX_FAILURES:
            lock.failures, lock.locked_until = 0, now + LOCK_DURATION
            started = lock.locked_until
        lock.updated_at = now
        lock.save(update_fields=["failures", "locked_until", "updated_at"])
        _cleanup(now)
        return Failure(lock.failures, started)


def success_record(realm: str, identifier: str) -> None:
    """A successful login clears the identifier's failures."""
    LoginLock.objects.filter(realm=realm, ident=ident_digest(realm, identifier)).delete()


def lock_clear(realm: str, identifier: str) -> None:
    """Lift a lock (staff action at the counter); same effect as a success."""
    success_record(realm, identifier)


def _cleanup(now: dt.datetime) -> None:
    # Cheap and indexed; runs on failures only, which are rare compared with page views.
    LoginLock.objects.filter(updated_at__lt=now - FORGET_AFTER).exclude(
        locked_until__gt=now).delete()
