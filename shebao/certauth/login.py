"""Certificate login as a service: rate limit, verify, audit. Used by the web login page
and by the API's token endpoint alike; each caller then starts its own kind of session
(a cookie session or a bearer token)."""

from __future__ import annotations

import datetime as dt

from shebao.audit.models import ActorKind
from shebao.audit.services import Actor, event_record

from .challenges import Challenge, challenge_issue
from .errors import LoginRefused, RefusalCode
from .ratelimit import RateLimited, login_rate_check
from .verify import VerifiedLogin, login_verify

ANONYMOUS_IDENT = "anonymous"


def unit_actor(unit_number: str, client_ip: str) -> Actor:
    return Actor(ActorKind.UNIT, unit_number, client_ip)


def challenge_request(*, channel: str, client_ip: str) -> Challenge:
    """A new nonce for a client, counted against its login rate limit."""
    try:
        login_rate_check(client_ip)
    except RateLimited as exc:
        raise LoginRefused(RefusalCode.RATE_LIMITED) from exc
    return challenge_issue(channel=channel, client_ip=client_ip)


def login_attempt(*, certificate_pem: str, nonce: str, signature: bytes | str, channel: str,
                  client_ip: str, now: dt.datetime | None = None) -> VerifiedLogin:
    """Verify a login attempt and record it in the audit log, success or refusal."""
    try:
        login_rate_check(client_ip, now=now)
    except RateLimited as exc:
        refused = LoginRefused(RefusalCode.RATE_LIMITED)
        if exc.first:  # one event per window, however long the flood
            _record_refusal(refused, channel=channel, client_ip=client_ip)
        raise refused from exc
    try:
        login = login_verify(certificate_pem=certificate_pem, nonce=nonce, signature=signature,
                             channel=channel, now=now)
    except LoginRefused as refused:
        _record_refusal(refused, channel=channel, client_ip=client_ip)
        raise
    event_record(
        actor=unit_actor(login.unit.number, client_ip), action="unit_login",
        object_type="certificate", object_ref=login.fingerprint,
        after={"channel": channel, "unit": login.unit.number},
    )
    return login


def _record_refusal(refused: LoginRefused, *, channel: str, client_ip: str) -> None:
    event_record(
        actor=Actor(ActorKind.ANONYMOUS, ANONYMOUS_IDENT, client_ip),
        action="unit_login_refused", object_type="certificate",
        object_ref=refused.fingerprint,
        after={"channel": channel, "code": str(refused.code),
               "unit": refused.unit_number or None, "detail": refused.detail[:200]},
    )


def logout_record(*, unit_number: str, fingerprint: str, client_ip: str) -> None:
    event_record(actor=unit_actor(unit_number, client_ip), action="unit_logout",
                 object_type="certificate", object_ref=fingerprint)
