"""Token authentication for every API router: `Authorization: Bearer <token>` yields
the same `Principal` (kind "unit") as a web session, on `request.auth` and
`request.principal`.

No cookie is involved, so no CSRF check is needed: a cross-site page cannot make a
browser attach the token, and it cannot read responses (no CORS).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from shebao.accounts.principal import Principal

from .tokens import token_hash, token_principal


class UnitTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        if not token:
            return None
        principal = token_principal(token)
        request.principal = principal  # type: ignore[attr-defined]
        request.api_token_hash = token_hash(token)  # type: ignore[attr-defined]
        return principal


unit_token_auth = UnitTokenAuth()
