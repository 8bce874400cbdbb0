"""Services for 参保人 identity: 密码函, activation, login, password change.

ID numbers arrive normalized (18 characters, `normalize_id_number`). Every refusal
raises IdentityError with the Chinese message to show; wording never tells whether an
ID number is registered. Unknown ID numbers cost a password hash too (same timing),
count against the lockout of what was typed and against the client address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.registry.models import Person

from . import events, lockout
from .errors import THROTTLED, IdentityError, Locked
from .models import PersonCredential
from .passwords import activation_code_clean, activation_code_new, person_password_check
from .ratelimit import ratelimit_count, ratelimit_exceeded

CODE_VALIDITY = dt.timedelta(days=30)
# [decision] Two limits on failed logins and activations. Each ID number typed locks
# after 5 failures in a row (lockout.py): that stops guessing one person's password.
# Each client address may fail IP_LIMIT times per window, between all ID numbers: that
# stops a spray of a few guesses at each of many ID numbers (4 guesses × 50 numbers, then
# nothing for the rest of the 15 minutes). It is high because an office, a school or a
# mobile carrier's NAT puts hundreds of people behind one address, and one colleague
# locking an ID number, or many mistyping once, must not shut the others out.
IP_LIMIT = 200
IP_WINDOW_SECONDS = 15 * 60
PASSWORD_CHANGE_LIMIT = 5

LOGIN_FAILED = "公民身份号码或查询密码不正确。首次使用请先凭密码函设置查询密码。"
ACTIVATE_FAILED = "公民身份号码或激活码不正确，或激活码已使用。"


@dataclass(frozen=True, slots=True)
class Letter:
    """A 密码函 as printed: the code is here once, in clear, and nowhere else."""

    person: Person
    code: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    issued_by: str


def _masked(id_number: str) -> str:
    return Person(id_number=id_number).masked_id_number


def _ip_key(ip: str) -> str:
    return f"person-fail-ip:{ip}"


def _anonymous(id_number: str, ip: str) -> Actor:
    return Actor("anonymous", _masked(id_number), ip)


def _credential(id_number: str) -> PersonCredential | None:
    return (PersonCredential.objects.select_related("person")
            .filter(person__id_number=id_number).first())


def _refuse_if_throttled_or_locked(realm: str, id_number: str, ip: str, now: dt.datetime,
                                   action: str, what: str) -> None:
    actor = _anonymous(id_number, ip)
    if ratelimit_exceeded(_ip_key(ip), limit=IP_LIMIT, window_seconds=IP_WINDOW_SECONDS,
                          now=now):
        events.record(actor, action, "person", reason=events.REASON_THROTTLED)
        raise IdentityError(THROTTLED)
    until = lockout.lock_until(realm, id_number, now=now)
    if until is not None:
        events.record(actor, action, "person", reason=events.REASON_LOCKED)
        raise Locked(until, what)


def _fail(realm: str, id_number: str, ip: str, now: dt.datetime, *, action: str,
          locked_action: str, ref: str, reason: str, message: str, what: str) -> IdentityError:
    """Count a failure against the address and the identifier; the error to raise."""
    ratelimit_count(_ip_key(ip), window_seconds=IP_WINDOW_SECONDS, now=now)
    failure = lockout.failure_record(realm, id_number, now=now)
    actor = _anonymous(id_number, ip)
    events.record(actor, action, "person", ref, reason=reason)
    if failure.locked_until is not None:
        events.record(actor, locked_action, "person", ref,
                      locked_until=failure.locked_until.isoformat())
        return Locked(failure.locked_until, what)
    return IdentityError(message)


@transaction.atomic
def person_letter_issue(*, person: Person, actor: Actor,
                        now: dt.datetime | None = None) -> Letter:
    """A new one-time activation code for a 密码函; any earlier code stops working."""
    now = now or timezone.now()
    code = activation_code_new()
    expires = now + CODE_VALIDITY
    PersonCredential.objects.update_or_create(person=person, defaults={
        "activation_code": make_password(code), "activation_issued_at": now,
        "activation_expires_at": expires})
    events.record(actor, events.PERSON_LETTER_ISSUE, "person", person.ref,
                  expires_at=expires.isoformat())
    return Letter(person=person, code=code, issued_at=now, expires_at=expires,
                  issued_by=actor.ident)


def person_activate(*, id_number: str, code: str, password: str, ip: str,
                    now: dt.datetime | None = None) -> Person:
    """Set the first (or a replacement) query password with the code of a 密码函."""
    now = now or timezone.now()
    realm = lockout.PERSON_ACTIVATE
    _refuse_if_throttled_or_locked(realm, id_number, ip, now,
                                   events.PERSON_ACTIVATE_FAILED, "设置密码")
    cred = _credential(id_number)
    typed = activation_code_clean(code)
    if cred is None or not cred.activation_code:
        make_password(typed)  # same cost as a real check
        ok = False
    else:
        ok = check_password(typed, cred.activation_code)
    ref = cred.person.ref if cred else ""
    if not ok:
        raise _fail(realm, id_number, ip, now, action=events.PERSON_ACTIVATE_FAILED,
                    locked_action=events.PERSON_ACTIVATE_LOCKED, ref=ref,
                    reason=events.REASON_CODE, message=ACTIVATE_FAILED, what="设置密码")
    assert cred is not None
    if cred.activation_expires_at is None or cred.activation_expires_at <= now:
        events.record(_anonymous(id_number, ip), events.PERSON_ACTIVATE_FAILED, "person", ref,
                      reason=events.REASON_EXPIRED)
        raise IdentityError("激活码已超过有效期，请本人携带身份证件到社保经办机构重新领取密码函。")
    person_password_check(password, cred.person)
    # Conditional on the code still being there: two requests racing with one code
    # cannot both set a password.
    used = PersonCredential.objects.filter(pk=cred.pk, activation_code=cred.activation_code
                                           ).update(password=make_password(password),
                                                    password_set_at=now, activation_code="",
                                                    activation_expires_at=None)
    if not used:
        raise IdentityError(ACTIVATE_FAILED)
    lockout.success_record(realm, id_number)
    lockout.success_record(lockout.PERSON, id_number)  # a new password lifts a login lock
    events.record(Actor("person", cred.person.masked_id_number, ip), events.PERSON_ACTIVATE,
                  "person", ref)
    return cred.person


def person_login(*, id_number: str, password: str, ip: str,
                 now: dt.datetime | None = None) -> Person:
    """Check ID number and query password; the person, or IdentityError."""
    now = now or timezone.now()
    realm = lockout.PERSON
    _refuse_if_throttled_or_locked(realm, id_number, ip, now, events.PERSON_LOGIN_REFUSED,
                                   "登录")
    cred = _credential(id_number)
    if cred is None or not cred.password:
        make_password(password)  # same cost as a real check
        ok = False
    else:
        ok = check_password(password, cred.password)
    if not ok:
        raise _fail(realm, id_number, ip, now, action=events.PERSON_LOGIN_FAILED,
                    locked_action=events.PERSON_LOGIN_LOCKED,
                    ref=cred.person.ref if cred else "",
                    reason=events.REASON_PASSWORD if cred and cred.password
                    else events.REASON_UNKNOWN,
                    message=LOGIN_FAILED, what="登录")
    assert cred is not None
    lockout.success_record(realm, id_number)
    PersonCredential.objects.filter(pk=cred.pk).update(last_login_at=now)
    events.record(Actor("person", cred.person.masked_id_number, ip), events.PERSON_LOGIN,
                  "person", cred.person.ref)
    return cred.person


def person_password_change(*, person_id: int, old_password: str, new_password: str,
                           actor: Actor, now: dt.datetime | None = None) -> None:
    """Change the signed-in person's query password; the old one is required."""
    now = now or timezone.now()
    cred = PersonCredential.objects.select_related("person").get(person_id=person_id)
    key = f"person-password-change:{person_id}"
    if ratelimit_exceeded(key, limit=PASSWORD_CHANGE_LIMIT,
                          window_seconds=IP_WINDOW_SECONDS, now=now):
        raise IdentityError("原密码输入错误次数过多，请 15 分钟后再试。")
    if not cred.password or not check_password(old_password, cred.password):
        ratelimit_count(key, window_seconds=IP_WINDOW_SECONDS, now=now)
        events.record(actor, events.PERSON_PASSWORD_CHANGE_FAILED, "person", cred.person.ref,
                      reason=events.REASON_PASSWORD)
        raise IdentityError("原查询密码不正确。")
    if old_password == new_password:
        raise IdentityError("新密码不能与原密码相同。")
    person_password_check(new_password, cred.person)
    cred.password, cred.password_set_at = make_password(new_password), now
    cred.save(update_fields=["password", "password_set_at"])
    events.record(actor, events.PERSON_PASSWORD_CHANGE, "person", cred.person.ref)


@transaction.atomic
def person_password_set(*, person: Person, password: str, actor: Actor,
                        now: dt.datetime | None = None) -> PersonCredential:
    """Set a query password directly (demo data, operators); clears any letter code."""
    now = now or timezone.now()
    person_password_check(password, person)
    cred, _ = PersonCredential.objects.update_or_create(person=person, defaults={
        "password": make_password(password), "password_set_at": now, "activation_code": "",
        "activation_expires_at": None})
    events.record(actor, events.PERSON_PASSWORD_SET, "person", person.ref)
    return cred


def person_logout_record(*, actor: Actor, person_id: int) -> None:
    ref = Person.objects.filter(pk=person_id).values_list("ref", flat=True).first() or ""
    events.record(actor, events.PERSON_LOGOUT, "person", ref)
