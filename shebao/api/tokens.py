"""Bearer tokens for the API: random, shown once, stored as SHA-256 hashes.

A token lives 8 hours, never beyond its certificate's expiry, and works only while the
certificate's binding still does (bound, unit open, multi-use authorized): each request
checks it through the same selector as the web session. It can be revoked sooner: by
the program holding it (`DELETE /auth/token`, its logout) or by the unit on the web
(its active tokens page), one at a time or all at once; a revoked token never works
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shebao.accounts.principal import Principal
from shebao.audit.services import Actor, event_record
from shebao.certauth.login import unit_actor
from shebao.certauth.selectors import UnitSessionInvalid, unit_session_for
from shebao.certauth.verify import VerifiedLogin
from shebao.registry.models import Unit

from .errors import ApiError
from .models import ApiToken

TOKEN_TTL = dt.timedelta(hours=8)
TOKEN_PREFIX = "sbt_"  # noqa: S105 (a visible prefix, not a secret)
PURGE_AFTER = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_issue(login: VerifiedLogin, *, client_ip: str,
                now: dt.datetime | None = None) -> IssuedToken:
    now = now or timezone.now()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = min(now + TOKEN_TTL, login.not_after)
    ApiToken.objects.filter(expires_at__lt=now - PURGE_AFTER).delete()
    ApiToken.objects.create(key_hash=token_hash(token), unit=login.unit,
                            fingerprint=login.fingerprint, client_ip=client_ip[:45],
                            created_at=now, expires_at=expires_at)
    event_record(actor=unit_actor(login.unit.number, client_ip), action="api_token_issue",
                 object_type="unit", object_ref=login.unit.number,
                 after={"fingerprint": login.fingerprint, "expires_at": expires_at.isoformat()})
    return IssuedToken(token, expires_at)


def token_principal(token: str, *, now: dt.datetime | None = None) -> Principal:
    """The unit principal of a valid token, or ApiError 401 saying why not."""
    now = now or timezone.now()
    row = (ApiToken.objects.select_related("unit")
           .filter(key_hash=token_hash(token), revoked_at__isnull=True).first())
    if row is None:
        raise ApiError(401, "token_invalid", "访问令牌无效，请重新登录取得令牌")
    if row.expires_at <= now:
        raise ApiError(401, "token_expired", "访问令牌已过期，请重新登录取得令牌")
    principal = Principal("unit", unit_id=row.unit_id, label=row.unit.number,
                          credential=row.fingerprint)
    try:
        unit_session_for(principal, now=now)
    except UnitSessionInvalid as exc:
        raise ApiError(401, "certificate_no_longer_valid", str(exc)) from exc
    return principal


# A token is shown on the web by the first characters of its hash: enough to tell one
# from another, nothing of the token itself.
HANDLE_CHARS = 16


def unit_tokens_active(unit: Unit, *, now: dt.datetime | None = None) -> QuerySet[ApiToken]:
    """The unit's tokens that still work (not revoked, not expired), newest first."""
    now = now or timezone.now()
    return (ApiToken.objects.filter(unit=unit, revoked_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id"))


def handle_of(row: ApiToken) -> str:
    return row.key_hash[:HANDLE_CHARS]


def tokens_revoke(unit: Unit, *, actor: Actor, handle: str | None = None,
                  key_hash: str | None = None, now: dt.datetime | None = None) -> int:
    """Revoke the unit's active tokens: the one with `handle` (web) or `key_hash` (the
    caller's own, API), or all of them when neither is given. Returns how many; one audit
    event when any was revoked."""
    now = now or timezone.now()
    rows = unit_tokens_active(unit, now=now)
    if handle is not None:
        if len(handle) != HANDLE_CHARS:
            return 0
        rows = rows.filter(key_hash__startswith=handle)
    if key_hash is not None:
        rows = rows.filter(key_hash=key_hash)
    with transaction.atomic():
        keys = list(rows.select_for_update().values_list("key_hash", flat=True))
        if not keys:
            return 0
        ApiToken.objects.filter(key_hash__in=keys).update(revoked_at=now)
        event_record(actor=actor, action="api_token_revoke", object_type="unit",
                     object_ref=unit.number,
                     after={"tokens": [k[:HANDLE_CHARS] for k in keys],
                            "scope": "one" if (handle or key_hash) else "all"})
    return len(keys)
