"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), as authenticator apps use.

Parameters fixed for staff login: HMAC-SHA-1, 30-second steps from the Unix epoch,
6 digits, and one step of clock drift either way. Written with the standard library
only (hmac, hashlib, base64, secrets): the algorithm is twenty lines and a dependency
would add nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block-friendly size RFC 4226 recommends


def secret_new() -> str:
    """A fresh random secret in base32 without padding (what authenticator apps accept)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def secret_bytes(secret_b32: str) -> bytes:
    """The key bytes of a base32 secret; spaces, lower case and missing padding allowed."""
    text = "".join(secret_b32.split()).upper()
    text += "=" * (-len(text) % 8)
    return base64.b32decode(text, casefold=True)


def step_at(unix_time: float) -> int:
    """The time step (counter) of a moment: floor(t / 30)."""
    return int(unix_time // STEP_SECONDS)


def hotp(key: bytes, counter: int, digits: int = DIGITS) -> str:
    """RFC 4226 §5.3: HMAC-SHA-1 of the 8-byte counter, dynamic truncation, mod 10^digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFF_FFFF
    return str(code % 10**digits).zfill(digits)


def code_at(secret_b32: str, unix_time: float) -> str:
    """The 6-digit code of a secret at a moment."""
    return hotp(secret_bytes(secret_b32), step_at(unix_time))


def matching_step(secret_b32: str, code: str, unix_time: float) -> int | None:
    """The step (within ±1 of now) whose code equals `code`, or None.

    The caller rejects a step it has already accepted: a code is good once.
    """
    typed = "".join(code.split())
    if len(typed) != DIGITS or not (typed.isascii() and typed.isdigit()):
        return None
    key = secret_bytes(secret_b32)
    now = step_at(unix_time)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(hotp(key, step), typed):
            return step
    return None


def otpauth_uri(secret_b32: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI (Google Authenticator key URI format) for enrolment."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret_b32, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP_SECONDS}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"
