"""A fixed-window rate limiter kept in the database (no cache server needed), used to
slow down login attempts per client address (challenge and token/verify together).

settings.CERT_LOGIN_RATE_LIMIT (default 30) requests per CERT_LOGIN_RATE_WINDOW seconds
(default 60), counted by the project's one limiter (`shebao.accounts.ratelimit`), which
several web processes share.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from shebao.accounts.ratelimit import ratelimit_count


class RateLimited(Exception):
    """Over the limit. `first` is True for the first refused request of the window (the
    one worth an audit event; a flood must not flood the audit log too)."""

    def __init__(self, first: bool) -> None:
        self.first = first
        super().__init__("rate limited")


def login_rate_check(client_ip: str, *, now: dt.datetime | None = None) -> None:
    """Count a login request from `client_ip`; RateLimited when over the limit."""
    limit = int(getattr(settings, "CERT_LOGIN_RATE_LIMIT", 30))
    window = int(getattr(settings, "CERT_LOGIN_RATE_WINDOW", 60))
    hits = ratelimit_count(f"cert-login-ip:{client_ip}", window_seconds=window, now=now)
    if hits > limit:
        raise RateLimited(first=hits == limit + 1)
