"""Services for agency staff identity: password + TOTP login, TOTP enrolment and reset.

Staff log in with username, password and the 6-digit code of their authenticator app
(accounts.totp). Staff without a confirmed TOTP secret pass the password step only to
reach the enrolment page; the login completes when they confirm a code. Each code is
good once. Failures of either step count toward the same lockout of the username.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor

from . import events, lockout, totp
from .errors import THROTTLED, IdentityError, Locked
from .models import StaffCredential, User
from .principal import staff_role
from .ratelimit import ratelimit_count, ratelimit_exceeded
from .secretbox import SecretUnreadable, secret_decrypt, secret_encrypt

IP_LIMIT = 20
IP_WINDOW_SECONDS = 15 * 60
ISSUER = "北京社保经办"
MIN_SECRET_BYTES = 16  # RFC 4226 §4 R6: at least 128 bits

LOGIN_FAILED = "用户名、密码或动态口令不正确。"
CODE_FAILED = "动态口令不正确或已使用，请输入验证器中新显示的口令。"
UNREADABLE = "动态口令密钥无法读取，请联系系统管理员重置动态口令。"


@dataclass(frozen=True, slots=True)
class StaffLogin:
    user: User
    needs_enrolment: bool  # password right, no confirmed TOTP yet: go to enrolment


def _lock_ident(username: str) -> str:
    return username.strip().lower()


def _ip_key(ip: str) -> str:
    return f"staff-fail-ip:{ip}"


def _fail(username: str, ip: str, now: dt.datetime, *, action: str, reason: str,
          message: str) -> IdentityError:
    ratelimit_count(_ip_key(ip), window_seconds=IP_WINDOW_SECONDS, now=now)
    failure = lockout.failure_record(lockout.STAFF, _lock_ident(username), now=now)
    actor = Actor("anonymous", username[:64], ip)
    events.record(actor, action, "staff", username[:64], reason=reason)
    if failure.locked_until is not None:
        events.record(actor, events.STAFF_LOGIN_LOCKED, "staff", username[:64],
                      locked_until=failure.locked_until.isoformat())
        return Locked(failure.locked_until)
    return IdentityError(message)


def _refuse_if_throttled_or_locked(username: str, ip: str, now: dt.datetime) -> None:
    actor = Actor("anonymous", username[:64], ip)
    if ratelimit_exceeded(_ip_key(ip), limit=IP_LIMIT, window_seconds=IP_WINDOW_SECONDS,
                          now=now):
        events.record(actor, events.STAFF_LOGIN_REFUSED, "staff", username[:64],
                      reason=events.REASON_THROTTLED)
        raise IdentityError(THROTTLED)
    until = lockout.lock_until(lockout.STAFF, _lock_ident(username), now=now)
    if until is not None:
        events.record(actor, events.STAFF_LOGIN_REFUSED, "staff", username[:64],
                      reason=events.REASON_LOCKED)
        raise Locked(until)


def _secret(cred: StaffCredential) -> str:
    try:
        return secret_decrypt(cred.totp_secret)
    except SecretUnreadable as exc:
        raise IdentityError(UNREADABLE) from exc


def _consume(cred: StaffCredential, step: int) -> bool:
    """Accept `step` once: a conditional UPDATE, so a replayed code loses the race."""
    return bool(StaffCredential.objects.filter(pk=cred.pk, totp_last_step__lt=step)
                .update(totp_last_step=step))


def staff_login(*, username: str, password: str, code: str, ip: str,
                now: dt.datetime | None = None) -> StaffLogin:
    """Check username, password and TOTP code; refusals raise IdentityError."""
    now = now or timezone.now()
    _refuse_if_throttled_or_locked(username, ip, now)
    user = authenticate(None, username=username, password=password)
    if not isinstance(user, User) or staff_role(user) is None:
        raise _fail(username, ip, now, action=events.STAFF_LOGIN_FAILED,
                    reason=events.REASON_PASSWORD, message=LOGIN_FAILED)
    cred = StaffCredential.objects.filter(user=user).first()
    if cred is None or not cred.totp_confirmed:
        events.record(Actor("anonymous", username[:64], ip), events.STAFF_TOTP_REQUIRED,
                      "staff", user.username)
        return StaffLogin(user, needs_enrolment=True)
    step = totp.matching_step(_secret(cred), code, now.timestamp())
    if step is None or not _consume(cred, step):
        reason = events.REASON_TOTP if step is None else events.REASON_TOTP_REUSED
        raise _fail(username, ip, now, action=events.STAFF_LOGIN_FAILED, reason=reason,
                    message=LOGIN_FAILED)
    lockout.success_record(lockout.STAFF, _lock_ident(username))
    events.record(Actor("staff", user.username, ip), events.STAFF_LOGIN, "staff",
                  user.username)
    return StaffLogin(user, needs_enrolment=False)


def staff_totp_pending(user: User) -> str:
    """The secret shown on the enrolment page: kept (encrypted) until confirmed, so a
    reload shows the same one the app has already scanned."""
    cred, _ = StaffCredential.objects.get_or_create(user=user)
    if cred.totp_confirmed:
        raise IdentityError("已绑定动态口令，请直接登录。")
    if cred.totp_secret:
        try:
            return secret_decrypt(cred.totp_secret)
        except SecretUnreadable:
            pass  # unconfirmed anyway: a new one does no harm
    secret = totp.secret_new()
    cred.totp_secret = secret_encrypt(secret)
    cred.save(update_fields=["totp_secret"])
    return secret


def staff_totp_confirm(*, user: User, code: str, ip: str,
                       now: dt.datetime | None = None) -> None:
    """Confirm the pending secret with a code from the app; completes the login."""
    now = now or timezone.now()
    _refuse_if_throttled_or_locked(user.username, ip, now)
    cred = StaffCredential.objects.filter(user=user).first()
    if cred is None or not cred.totp_secret or cred.totp_confirmed:
        raise IdentityError("请重新登录后绑定动态口令。")
    step = totp.matching_step(_secret(cred), code, now.timestamp())
    confirmed = step is not None and StaffCredential.objects.filter(
        pk=cred.pk, totp_confirmed_at__isnull=True, totp_secret=cred.totp_secret,
    ).update(totp_confirmed_at=now, totp_last_step=step)
    if not confirmed:
        raise _fail(user.username, ip, now, action=events.STAFF_TOTP_ENROL_FAILED,
                    reason=events.REASON_TOTP, message=CODE_FAILED)
    lockout.success_record(lockout.STAFF, _lock_ident(user.username))
    actor = Actor("staff", user.username, ip)
    events.record(actor, events.STAFF_TOTP_ENROL, "staff", user.username)
    events.record(actor, events.STAFF_LOGIN, "staff", user.username, via="totp_enrolment")


@transaction.atomic
def staff_totp_enrol(user: User, secret: str, *, actor: Actor = SYSTEM,
                     now: dt.datetime | None = None) -> StaffCredential:
    """Enrol `secret` (base32) as confirmed, e.g. demo staff with a documented secret."""
    now = now or timezone.now()
    try:
        key = totp.secret_bytes(secret)
    except ValueError as exc:
        raise IdentityError("动态口令密钥不是有效的 Base32 文本。") from exc
    if len(key) < MIN_SECRET_BYTES:
        raise IdentityError("动态口令密钥过短（至少 128 位）。")
    normalized = "".join(secret.split()).upper().rstrip("=")
    cred, _ = StaffCredential.objects.update_or_create(user=user, defaults={
        "totp_secret": secret_encrypt(normalized), "totp_confirmed_at": now,
        "totp_last_step": 0})
    events.record(actor, events.STAFF_TOTP_ENROL, "staff", user.username, by=actor.ident)
    return cred


def staff_totp_reset(user: User, *, actor: Actor) -> None:
    """Forget a staff member's TOTP (lost phone): the next login enrols a new one."""
    StaffCredential.objects.filter(user=user).update(totp_secret="", totp_confirmed_at=None)
    events.record(actor, events.STAFF_TOTP_RESET, "staff", user.username)


def staff_totp_code(user: User, *, now: dt.datetime | None = None) -> str:
    """The current code of a confirmed secret (operators and the demo; needs a shell)."""
    cred = StaffCredential.objects.filter(user=user).first()
    if cred is None or not cred.totp_confirmed:
        raise IdentityError(f"工作人员 {user.username} 尚未绑定动态口令。")
    return totp.code_at(_secret(cred), (now or timezone.now()).timestamp())


def totp_uri(user: User, secret: str) -> str:
    return totp.otpauth_uri(secret, account=user.username, issuer=ISSUER)


def staff_logout_record(*, actor: Actor) -> None:
    events.record(actor, events.STAFF_LOGOUT, "staff", actor.ident)
