"""Guards for views: one decorator per kind of principal.

Anonymous visitors are sent to the right login page; a principal of another kind, or
staff of a role without the right, get 403. Views then fetch data only through
selectors scoped by `request.principal`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import StaffRole
from .principal import Principal, principal_of

View = Callable[..., HttpResponse]

UNIT_LOGIN_URL = "/unit/login/"
PERSON_LOGIN_URL = "/person/login/"
STAFF_LOGIN_URL = "/staff/login/"


def _guard(allowed: Callable[[Principal], bool], login_url: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            principal = principal_of(request)
            signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
            if principal.kind == "anonymous" and not signed_in:
                return redirect_to_login(request.get_full_path(), login_url)
            if not allowed(principal):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(*roles: str) -> Callable[[View], View]:
    """Staff of one of `roles` (admin always)."""
    allowed_roles = {*roles, StaffRole.ADMIN}
    return _guard(lambda p: p.is_staff and p.role in allowed_roles, STAFF_LOGIN_URL)


def unit_required(view: View) -> View:
    return _guard(lambda p: p.is_unit, UNIT_LOGIN_URL)(view)


def person_required(view: View) -> View:
    return _guard(lambda p: p.is_person, PERSON_LOGIN_URL)(view)
