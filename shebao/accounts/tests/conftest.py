"""Fixtures for identity tests: a clock the test moves. (Fast password hashing for
every test comes from shebao/conftest.py.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import timezone


class Clock:
    """timezone.now() frozen at `now`; `advance()` moves it. No sleeping in tests."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Clock]:
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0, 10))
    fake = Clock(start)
    monkeypatch.setattr(timezone, "now", fake)
    yield fake
