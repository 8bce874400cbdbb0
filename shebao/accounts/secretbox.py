"""Encryption of small secrets at rest (staff TOTP secrets) and keyed hashes of identifiers.

The adapter for `cryptography` in this app. Keys are derived from SECRET_KEY with HKDF
(SHA-256), one per purpose, so the database alone does not reveal a TOTP secret.
Consequence: changing SECRET_KEY makes the stored TOTP secrets unreadable, and every
staff member enrols again (docs/decisions/0007-person-and-staff-login.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted (SECRET_KEY changed, or the value was edited)."""


@lru_cache(maxsize=8)
def _derive(secret_key: str, purpose: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return hkdf.derive(secret_key.encode("utf-8"))


def _fernet() -> Fernet:
    key = _derive(settings.SECRET_KEY, b"shebao.accounts.totp-secret.v1")
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("stored secret cannot be decrypted") from exc


def ident_digest(realm: str, identifier: str) -> str:
    """A keyed hash of a typed identifier (ID number, username) for lockout rows.

    Rows exist for identifiers nobody holds too (that is what keeps a lockout from
    telling whether an ID number is registered), so they store no identifier in clear.
    """
    key = _derive(settings.SECRET_KEY, b"shebao.accounts.login-ident.v1")
    message = f"{realm}:{identifier}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()
