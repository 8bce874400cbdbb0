"""Certificate login verification: the one implementation web, API and CLI share.

Given a PEM certificate, the nonce the server issued and the client's signature over the
nonce's UTF-8 bytes (DER-encoded ECDSA with SHA-256), `login_verify` checks, in order:

1. the nonce: issued for this channel, unused, not expired (and uses it up);
2. the certificate parses;
3. it chains to a trusted CA (signature by the CA's key, issuer == CA subject, the CA is
   a CA allowed to sign certificates) — trust.py;
4. now is within its validity dates; it is an end-entity certificate fit for signing;
5. it is not on its CA's CRL, and that CRL is available (fail closed) — trust.py;
6. the signature over the nonce verifies with the certificate's public key;
7. an active binding ties the certificate to a unit, the unit's online declaration is
   open (已开通), and a certificate also used for other applications has the multi-use
   authorization (一证多用授权) recorded.

The signature is checked before anything about bindings is revealed, so someone holding
only a (public) certificate learns nothing about its unit. Each failure raises
LoginRefused with its own code (errors.py).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit

from .certificates import CertificateFormatError, certificate_parse, fingerprint
from .challenges import challenge_consume
from .errors import LoginRefused, RefusalCode
from .models import CertificateBinding
from .trust import issuer_find, revocation_check

MAX_SIGNATURE_BYTES = 1024


@dataclass(frozen=True, slots=True)
class VerifiedLogin:
    unit: Unit
    binding: CertificateBinding
    fingerprint: str
    not_after: dt.datetime


def signature_decode(text: str) -> bytes:
    """Strict standard Base64 (whitespace allowed around it)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise LoginRefused(RefusalCode.SIGNATURE_MALFORMED, "not base64") from exc
    if not raw or len(raw) > MAX_SIGNATURE_BYTES:
        raise LoginRefused(RefusalCode.SIGNATURE_MALFORMED, f"{len(raw)} bytes")
    return raw


def login_verify(*, certificate_pem: str, nonce: str, signature: bytes | str, channel: str,
                 now: dt.datetime | None = None) -> VerifiedLogin:
    """Verify one login attempt; `signature` is DER bytes or their Base64 text."""
    now = now or timezone.now()
    challenge_consume(nonce, channel=channel, now=now)
    try:
        cert = certificate_parse(certificate_pem)
    except CertificateFormatError as exc:
        raise LoginRefused(RefusalCode.CERTIFICATE_MALFORMED, str(exc)) from exc
    fp = fingerprint(cert)
    try:
        raw = signature_decode(signature) if isinstance(signature, str) else signature
        return _verify_parsed(cert, fp, nonce, raw, now)
    except LoginRefused as exc:
        exc.fingerprint = fp
        raise


def _verify_parsed(cert: x509.Certificate, fp: str, nonce: str, signature: bytes,
                   now: dt.datetime) -> VerifiedLogin:
    ca = issuer_find(cert, now)
    validity_check(cert, now)
    revocation_check(cert, ca, now)
    signature_check(cert, nonce, signature)
    binding = binding_check(fp)
    return VerifiedLogin(binding.unit, binding, fp, cert.not_valid_after_utc)


def validity_check(cert: x509.Certificate, now: dt.datetime) -> None:
    if now < cert.not_valid_before_utc:
        raise LoginRefused(RefusalCode.NOT_YET_VALID, f"from {cert.not_valid_before_utc}")
    if now > cert.not_valid_after_utc:
        raise LoginRefused(RefusalCode.EXPIRED, f"until {cert.not_valid_after_utc}")
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    if (constraints is not None and constraints.ca) or (
            usage is not None and not usage.digital_signature):
        raise LoginRefused(RefusalCode.NOT_FOR_SIGNING)


def signature_check(cert: x509.Certificate, nonce: str, signature: bytes) -> None:
    key = cert.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise LoginRefused(RefusalCode.UNSUPPORTED_KEY, type(key).__name__)
    try:
        key.verify(signature, nonce.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError) as exc:
        raise LoginRefused(RefusalCode.SIGNATURE_INVALID) from exc


def binding_check(fp: str) -> CertificateBinding:
    binding = (CertificateBinding.objects.select_related("unit")
               .filter(fingerprint=fp, active=True).first())
    if binding is None:
        raise LoginRefused(RefusalCode.NOT_BOUND)
    number = binding.unit.number
    if binding.unit.online_status != OnlineStatus.OPEN:
        raise LoginRefused(RefusalCode.UNIT_NOT_OPEN, binding.unit.online_status,
                           unit_number=number)
    if binding.needs_multi_use_authorization:
        raise LoginRefused(RefusalCode.MULTI_USE_UNAUTHORIZED, unit_number=number)
    return binding
