"""Who may do what in the back office: staff roles with least privilege.

受理 (intake) records money and documents, 审核 (review) reviews, 管理员 (admin) may do
everything. A superuser counts as admin. One decorator guards every view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from shebao.accounts.models import StaffRole
from shebao.audit.services import Actor

View = Callable[..., HttpResponse]


def staff_role(user: Any) -> str | None:
    """The user's effective role, or None for anyone who is not active staff."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return None
    if user.is_superuser:
        return StaffRole.ADMIN
    return user.role or None


def staff_required(*roles: str) -> Callable[[View], View]:
    """Anonymous: to the login page. Staff of another role, or no staff: 403."""
    allowed = {*roles, StaffRole.ADMIN}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if staff_role(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_actor(request: HttpRequest) -> Actor:
    """The audit actor of a staff request: username and source address."""
    return Actor("staff", request.user.get_username(), client_ip(request))


def client_ip(request: HttpRequest) -> str:
    # Behind nginx the real address is in X-Forwarded-For (see docs); REMOTE_ADDR otherwise.
    return request.META.get("REMOTE_ADDR", "")
