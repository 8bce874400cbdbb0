"""Plain helpers for tests of identity and staff pages: staff with a known TOTP secret,
persons with a query password, and logins that go through the real forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from shebao.accounts import totp
from shebao.accounts.models import User
from shebao.accounts.persons import person_password_set
from shebao.accounts.staff import staff_totp_enrol
from shebao.audit.services import SYSTEM
from shebao.registry.models import Person

# A fixed secret for tests only (base32 of 20 bytes).
TEST_TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
STAFF_PASSWORD = "Zhengque-Mima-2026"
PERSON_PASSWORD = "chaxun2026ab"


def totp_now(secret: str = TEST_TOTP_SECRET, *, at: dt.datetime | None = None,
             steps: int = 0) -> str:
    """The code of `secret` now (or at `at`), `steps` steps later."""
    moment = (at or timezone.now()).timestamp() + steps * totp.STEP_SECONDS
    return totp.code_at(secret, moment)


def make_staff(role: str, username: str | None = None, *, password: str = STAFF_PASSWORD,
               secret: str | None = TEST_TOTP_SECRET, **fields: Any) -> User:
    """Active staff of `role`; enrolled with `secret` unless it is None."""
    fields.setdefault("is_staff", True)
    user = User.objects.create_user(username or f"staff-{role or 'none'}", password=password,
                                    role=role, **fields)
    if secret is not None:
        staff_totp_enrol(user, secret, actor=SYSTEM)
    return user


def staff_client_login(client: Client, username: str, *, password: str = STAFF_PASSWORD,
                       secret: str = TEST_TOTP_SECRET, steps: int = 0) -> Any:
    """Log in through /staff/login/ with password and TOTP; the response."""
    return client.post("/staff/login/", {"username": username, "password": password,
                                         "code": totp_now(secret, steps=steps)})


def give_password(person: Person, password: str = PERSON_PASSWORD) -> Person:
    person_password_set(person=person, password=password, actor=SYSTEM)
    return person


def person_client_login(client: Client, person: Person, password: str = PERSON_PASSWORD,
                        **extra: Any) -> Any:
    return client.post("/person/login/", {"id_number": person.id_number,
                                          "password": password}, **extra)
