"""Back-office access: the staff guard and the audit actor of a staff request."""

from __future__ import annotations

from django.http import HttpRequest

from shebao.accounts.access import staff_required
from shebao.accounts.principal import principal_of
from shebao.audit.services import Actor

__all__ = ["staff_actor", "staff_required"]


def staff_actor(request: HttpRequest) -> Actor:
    """The audit actor of a staff request: username and source address."""
    return principal_of(request).actor(request)
