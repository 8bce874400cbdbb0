"""One-time login challenges (nonces): issued, then consumed by exactly one attempt.

Every attempt uses up its nonce, whatever its outcome, so a nonce can never be tried
twice; the client asks for a new one after a refusal.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.utils import timezone

from .errors import LoginRefused, RefusalCode
from .models import LoginChallenge

CHALLENGE_TTL = dt.timedelta(minutes=2)
# Old challenges are purged when new ones are issued; a purged nonce is just unknown.
PURGE_AFTER = dt.timedelta(days=1)
MAX_NONCE_CHARS = 64


@dataclass(frozen=True, slots=True)
class Challenge:
    nonce: str
    expires_at: dt.datetime


def challenge_issue(*, channel: str, client_ip: str = "",
                    now: dt.datetime | None = None) -> Challenge:
    now = now or timezone.now()
    LoginChallenge.objects.filter(expires_at__lt=now - PURGE_AFTER).delete()
    row = LoginChallenge.objects.create(
        nonce=secrets.token_urlsafe(32), channel=channel, client_ip=client_ip[:45],
        created_at=now, expires_at=now + CHALLENGE_TTL,
    )
    return Challenge(row.nonce, row.expires_at)


def challenge_consume(nonce: str, *, channel: str, now: dt.datetime) -> None:
    """Mark the nonce used (a conditional UPDATE: two concurrent attempts cannot both
    win), or LoginRefused with why it cannot be used."""
    if not nonce or len(nonce) > MAX_NONCE_CHARS:
        raise LoginRefused(RefusalCode.NONCE_UNKNOWN, "empty or oversized nonce")
    won = LoginChallenge.objects.filter(
        nonce=nonce, channel=channel, used_at__isnull=True, expires_at__gt=now,
    ).update(used_at=now)
    if won:
        return
    row = LoginChallenge.objects.filter(nonce=nonce, channel=channel).first()
    if row is None:
        raise LoginRefused(RefusalCode.NONCE_UNKNOWN, f"no {channel} challenge")
    if row.used_at is not None:
        raise LoginRefused(RefusalCode.NONCE_USED, f"used at {row.used_at.isoformat()}")
    raise LoginRefused(RefusalCode.NONCE_EXPIRED, f"expired at {row.expires_at.isoformat()}")
