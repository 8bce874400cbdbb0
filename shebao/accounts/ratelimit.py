"""Fixed-window rate limits kept in the database, shared by every process and thread.

`ratelimit_hit("person-login-ip:1.2.3.4", limit=20, window_seconds=900)` counts one hit
and answers whether it is still within the limit. Each hit is one
`INSERT … ON CONFLICT DO UPDATE … RETURNING` (SQLite ≥ 3.35 and PostgreSQL alike), so
concurrent requests never lose a count. Windows are aligned to the Unix epoch; rows of
windows that have ended are deleted at most once per CLEANUP_SECONDS per process, one
indexed DELETE.

Call it outside a transaction that may roll back: a rolled-back hit is not counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection
from django.utils import timezone

from .models import RateLimitBucket

CLEANUP_SECONDS = 300
_MAX_KEY = 200
_next_cleanup = 0


def _key(key: str) -> str:
    """Keys longer than the column are replaced by their SHA-256 (same key, same row)."""
    if len(key) <= _MAX_KEY:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _window(now: dt.datetime, window_seconds: int) -> tuple[int, int]:
    seconds = int(now.timestamp())
    start = seconds - seconds % window_seconds
    return start, start + window_seconds


def _upsert_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(RateLimitBucket._meta.db_table)
    return (
        f"INSERT INTO {table} ({qn('bucket_key')}, {qn('window_start')}, {qn('expires_at')}, "
        f"{qn('hits')}) VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({qn('bucket_key')}, {qn('window_start')}) "
        f"DO UPDATE SET {qn('hits')} = {table}.{qn('hits')} + 1 RETURNING {qn('hits')}"
    )


def ratelimit_count(key: str, *, window_seconds: int, now: dt.datetime | None = None) -> int:
    """Count one hit of `key` in the current window; the window's hits including this one."""
    if window_seconds <= 0:
        raise ValueError("window_seconds must be positive")
    start, end = _window(now or timezone.now(), window_seconds)
    _cleanup(start)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [_key(key), start, end])
        row = cursor.fetchone()
    return int(row[0])


def ratelimit_hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; False when the key has now had more than `limit` in its window."""
    return ratelimit_count(key, window_seconds=window_seconds) <= limit


def ratelimit_exceeded(key: str, *, limit: int, window_seconds: int,
                       now: dt.datetime | None = None) -> bool:
    """Whether the key already has `limit` hits in its window (counts nothing).

    For limits on failures only: check before the attempt, `ratelimit_count` after a
    failure.
    """
    start, _ = _window(now or timezone.now(), window_seconds)
    hits = (RateLimitBucket.objects.filter(bucket_key=_key(key), window_start=start)
            .values_list("hits", flat=True).first())
    return hits is not None and hits >= limit


def _cleanup(now_seconds: int) -> None:
    global _next_cleanup
    if now_seconds < _next_cleanup:
        return
    _next_cleanup = now_seconds + CLEANUP_SECONDS
    RateLimitBucket.objects.filter(expires_at__lte=now_seconds).delete()


# The public check page (/verify/): lookups of a receipt's verification code and of a
# printed document's 校验码 share one budget per client address and window.
PUBLIC_CHECK_LIMIT = 20
PUBLIC_CHECK_WINDOW = 600


def public_check_hit(client_address: str) -> bool:
    """Count one lookup on the public check page; False once over the limit."""
    return ratelimit_hit(f"receipt-verify-ip:{client_address}", limit=PUBLIC_CHECK_LIMIT,
                         window_seconds=PUBLIC_CHECK_WINDOW)
