"""Who is making a request: one principal, whatever the login.

Units (by certificate) and insured persons (by ID number and query password) are not
Django users; their login is kept in the session under SESSION_KEY. Agency staff are
Django users (request.user). `principal_of(request)` is the one answer every view,
selector and API endpoint uses; the middleware puts it on `request.principal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse

from shebao.audit.services import Actor

from .models import StaffRole

SESSION_KEY = "shebao_principal"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # anonymous | unit | person | staff
    unit_id: int | None = None
    person_id: int | None = None
    user_id: int | None = None
    role: str | None = None  # staff role
    label: str = ""  # unit number, masked ID number or username: for audit and pages
    credential: str = ""  # certificate fingerprint for units

    @property
    def is_unit(self) -> bool:
        return self.kind == "unit"

    @property
    def is_person(self) -> bool:
        return self.kind == "person"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    def actor(self, request: HttpRequest | None = None) -> Actor:
        ip = client_ip(request) if request is not None else ""
        kind = "anonymous" if self.kind == "anonymous" else self.kind
        return Actor(kind, self.label or "-", ip)


ANONYMOUS = Principal("anonymous")


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind nginx, REMOTE_ADDR is set from X-Real-IP by the proxy
    configuration (docs/DEPLOYMENT.md); the application never trusts client headers."""
    return str(request.META.get("REMOTE_ADDR", ""))


def staff_role(user: Any) -> str | None:
    """The user's effective role, or None for anyone who is not active staff."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if user.is_superuser:
        return StaffRole.ADMIN
    return user.role or None


def principal_of(request: HttpRequest) -> Principal:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        role = staff_role(user)
        if role:
            return Principal("staff", user_id=user.pk, role=role, label=user.get_username())
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if isinstance(data, dict):
        if data.get("kind") == "unit" and data.get("unit_id"):
            return Principal("unit", unit_id=int(data["unit_id"]), label=str(data["label"]),
                             credential=str(data.get("credential", "")))
        if data.get("kind") == "person" and data.get("person_id"):
            return Principal("person", person_id=int(data["person_id"]),
                             label=str(data["label"]))
    return ANONYMOUS


def session_login(request: HttpRequest, principal: Principal) -> None:
    """Start a unit or person session (a new session key: no fixation)."""
    from django.contrib.auth import logout

    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)  # one principal per browser session
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "kind": principal.kind, "unit_id": principal.unit_id,
        "person_id": principal.person_id, "label": principal.label,
        "credential": principal.credential,
    }
    request.principal = principal  # type: ignore[attr-defined]


def staff_session_login(request: HttpRequest, user: Any) -> None:
    """Start a staff session after password and TOTP: a fresh session (no fixation, and
    no unit or person principal left in it), then Django's login."""
    from django.contrib.auth import login

    request.session.flush()
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.principal = principal_of(request)  # type: ignore[attr-defined]


def session_logout(request: HttpRequest) -> None:
    from django.contrib.auth import logout

    logout(request)  # flushes the whole session, ours included
    request.principal = ANONYMOUS  # type: ignore[attr-defined]


class PrincipalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.principal = principal_of(request)  # type: ignore[attr-defined]
        return self.get_response(request)
