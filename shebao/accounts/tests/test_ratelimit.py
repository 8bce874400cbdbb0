"""The database rate limiter: counts per key and window, rollover, cleanup."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shebao.accounts import ratelimit
from shebao.accounts.models import RateLimitBucket
from shebao.accounts.ratelimit import ratelimit_count, ratelimit_exceeded, ratelimit_hit

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def test_hits_within_limit_pass_and_the_next_is_refused(clock):  # no window rollover
    assert [ratelimit_hit("k", limit=3, window_seconds=60) for _ in range(5)] == \
        [True, True, True, False, False]


def test_keys_are_counted_separately(clock):
    for _ in range(3):
        ratelimit_hit("a", limit=3, window_seconds=60)
    assert ratelimit_hit("b", limit=3, window_seconds=60)


def test_a_new_window_starts_from_zero():
    for _ in range(4):
        ratelimit_count("k", window_seconds=60, now=T0)
    assert ratelimit_exceeded("k", limit=3, window_seconds=60, now=T0 + dt.timedelta(seconds=59))
    assert not ratelimit_exceeded("k", limit=3, window_seconds=60,
                                  now=T0 + dt.timedelta(seconds=60))
    assert ratelimit_count("k", window_seconds=60, now=T0 + dt.timedelta(seconds=60)) == 1


def test_exceeded_counts_nothing():
    ratelimit_count("k", window_seconds=60, now=T0)
    for _ in range(3):
        assert not ratelimit_exceeded("k", limit=2, window_seconds=60, now=T0)
    assert RateLimitBucket.objects.get().hits == 1


def test_each_hit_is_one_statement_plus_rare_cleanup(monkeypatch):
    monkeypatch.setattr(ratelimit, "_next_cleanup", 10**12)
    with CaptureQueriesContext(connection) as queries:
        ratelimit_hit("k", limit=3, window_seconds=60)
    assert len(queries) == 1 and "ON CONFLICT" in queries[0]["sql"]


def test_expired_windows_are_cleaned_up(monkeypatch):
    ratelimit_count("old", window_seconds=60, now=T0)
    monkeypatch.setattr(ratelimit, "_next_cleanup", 0)
    ratelimit_count("new", window_seconds=60, now=T0 + dt.timedelta(minutes=5))
    assert list(RateLimitBucket.objects.values_list("bucket_key", flat=True)) == ["new"]


def test_long_keys_are_hashed_consistently():
    key = "x" * 500
    ratelimit_count(key, window_seconds=60, now=T0)
    assert ratelimit_count(key, window_seconds=60, now=T0) == 2
    assert RateLimitBucket.objects.get().bucket_key.startswith("sha256:")


def test_rejects_a_zero_window():
    with pytest.raises(ValueError):
        ratelimit_hit("k", limit=1, window_seconds=0)
