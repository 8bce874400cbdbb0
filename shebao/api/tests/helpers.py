"""Test helpers for the API: the auth endpoints as a client program calls them."""

from __future__ import annotations

from typing import Any

from django.test import Client

from shebao.certauth.tests.helpers import Holder

CHALLENGE = "/api/v1/auth/challenge"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def get_nonce(client: Client) -> str:
    response = client.post(CHALLENGE)
    assert response.status_code == 200, response.content
    return str(response.json()["nonce"])


def post_token(client: Client, holder: Holder, *, nonce: str | None = None,
               signature: str | None = None, certificate: str | None = None) -> Any:
    """POST /auth/token for `holder`; each part can be replaced to make it wrong."""
    nonce = nonce or get_nonce(client)
    body = {"certificate": holder.cert_pem if certificate is None else certificate,
            "nonce": nonce,
            "signature": holder.sign(nonce) if signature is None else signature}
    return client.post(TOKEN, body, content_type="application/json")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
