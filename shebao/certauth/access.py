"""The guard of a unit's pages that act with its certificate (the declaration pages, the
API token page): a unit principal whose certificate may still be used (bound, unit
open, not expired). A session that may no longer be used is
ended and sent to the login page with the reason, as on the unit home page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from shebao.accounts.access import unit_required
from shebao.accounts.principal import principal_of, session_logout
from shebao.certauth.selectors import UnitSession, UnitSessionInvalid, unit_session_for

SessionView = Callable[..., HttpResponse]


def unit_session_required(*, json: bool = False) -> Callable[[SessionView], SessionView]:
    """`view(request, session, ...)` for a logged-in unit; JSON refusals with `json`."""

    def decorator(view: SessionView) -> SessionView:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                session: UnitSession = unit_session_for(principal_of(request))
            except UnitSessionInvalid as exc:
                session_logout(request)
                if json:
                    return JsonResponse({"code": "session_invalid", "message": str(exc)},
                                        status=403)
                messages.error(request, str(exc))
                return redirect("certauth:login")
            return view(request, session, *args, **kwargs)

        return unit_required(wrapped)

    return decorator
