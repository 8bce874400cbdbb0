"""Lockout by typed identifier: five failures lock for 15 minutes, success clears."""

from __future__ import annotations

import datetime as dt

import pytest

from shebao.accounts import lockout
from shebao.accounts.models import LoginLock

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def fail(n: int, ident: str = "110105198506150011", at: dt.datetime = T0) -> lockout.Failure:
    result = lockout.Failure(0, None)
    for _ in range(n):
        result = lockout.failure_record(lockout.PERSON, ident, now=at)
    return result


def test_four_failures_do_not_lock():
    assert fail(4) == lockout.Failure(4, None)
    assert lockout.lock_until(lockout.PERSON, "110105198506150011", now=T0) is None


def test_the_fifth_failure_locks_for_fifteen_minutes():
    assert fail(5).locked_until == T0 + dt.timedelta(minutes=15)
    assert lockout.lock_until(lockout.PERSON, "110105198506150011",
                              now=T0 + dt.timedelta(minutes=14, seconds=59)) is not None
    assert lockout.lock_until(lockout.PERSON, "110105198506150011",
                              now=T0 + dt.timedelta(minutes=15)) is None


def test_failures_while_locked_do_not_extend_the_lock():
    fail(5)
    assert fail(3, at=T0 + dt.timedelta(minutes=10)).locked_until is None
    assert LoginLock.objects.get().locked_until == T0 + dt.timedelta(minutes=15)


def test_after_the_lock_the_count_starts_again():
    fail(5)
    assert fail(1, at=T0 + dt.timedelta(minutes=16)) == lockout.Failure(1, None)


def test_success_clears_the_count():
    fail(4)
    lockout.success_record(lockout.PERSON, "110105198506150011")
    assert fail(1) == lockout.Failure(1, None)


def test_realms_and_identifiers_are_separate_and_not_stored_in_clear():
    fail(5)
    assert lockout.lock_until(lockout.STAFF, "110105198506150011", now=T0) is None
    assert lockout.lock_until(lockout.PERSON, "110105198506150029", now=T0) is None
    assert "110105198506150011" not in LoginLock.objects.get().ident


def test_failures_older_than_a_day_are_forgotten():
    fail(4)
    assert fail(1, at=T0 + dt.timedelta(days=1, seconds=1)) == lockout.Failure(1, None)
