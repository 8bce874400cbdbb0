"""Trust decisions: which CA issued a certificate, and whether that CA has revoked it.

The trusted CA certificates (settings.CERT_TRUSTED_CA_FILES) are the CAs that issue unit
certificates directly; an intermediate CA is configured as trusted in its own right.
Revocation is checked against the local CA's records in the database and against the
CRLs in settings.CERT_CRL_FILES: a certificate is refused when either says it is revoked,
so a CRL file older than the records (overwritten, restored from a backup) cannot let a
revoked certificate back in. A trusted CA without a readable, correctly signed and
current CRL refuses every login (fail closed): a certificate revoked after a lost USB Key
must never get in because a file went missing.

The files are read at each check; logins are rare enough, and a republished CRL takes
effect at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPublicKeyTypes

from .certificates import fingerprint
from .errors import LoginRefused, RefusalCode
from .models import IssuedCertificate

logger = logging.getLogger(__name__)


def _paths(setting: str) -> list[Path]:
    from django.conf import settings

    return [Path(p) for p in getattr(settings, setting)]


def trusted_cas() -> list[x509.Certificate]:
    """Every certificate in the trusted CA files; unreadable files are logged and skipped."""
    cas: list[x509.Certificate] = []
    for path in _paths("CERT_TRUSTED_CA_FILES"):
        try:
            cas.extend(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError) as exc:
            logger.warning("trusted CA file %s unusable: %s", path, exc)
    return cas


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def can_sign_certificates(ca: x509.Certificate) -> bool:
    """A CA certificate (basicConstraints cA) whose key may sign certificates."""
    constraints = _extension(ca, x509.BasicConstraints)
    usage = _extension(ca, x509.KeyUsage)
    is_ca = isinstance(constraints, x509.BasicConstraints) and constraints.ca
    return is_ca and isinstance(usage, x509.KeyUsage) and usage.key_cert_sign


def can_sign_crls(ca: x509.Certificate) -> bool:
    usage = _extension(ca, x509.KeyUsage)
    return isinstance(usage, x509.KeyUsage) and usage.crl_sign


def issuer_public_key(ca: x509.Certificate) -> CertificateIssuerPublicKeyTypes:
    return cast(CertificateIssuerPublicKeyTypes, ca.public_key())


def issuer_find(cert: x509.Certificate, now: dt.datetime) -> x509.Certificate:
    """The trusted CA that signed `cert` (issuer name == CA subject and the signature
    verifies with the CA's key), or LoginRefused(untrusted_issuer)."""
    for ca in trusted_cas():
        if ca.subject != cert.issuer or not can_sign_certificates(ca):
            continue
        if not ca.not_valid_before_utc <= now <= ca.not_valid_after_utc:
            continue
        try:
            cert.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return ca
    raise LoginRefused(RefusalCode.UNTRUSTED_ISSUER, f"issuer {cert.issuer.rfc4514_string()}")


def _crl_load(data: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN X509 CRL-----" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def crl_for(ca: x509.Certificate, now: dt.datetime) -> x509.CertificateRevocationList:
    """The current CRL of `ca`, signed by it, or LoginRefused(crl_unavailable)."""
    problems: list[str] = []
    for path in _paths("CERT_CRL_FILES"):
        try:
            crl = _crl_load(path.read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(f"{path}: {exc.__class__.__name__}")
            continue
        if crl.issuer != ca.subject:
            continue
        if not can_sign_crls(ca) or not crl.is_signature_valid(issuer_public_key(ca)):
            problems.append(f"{path}: signature not valid")
            continue
        if crl.next_update_utc is not None and crl.next_update_utc < now:
            problems.append(f"{path}: stale since {crl.next_update_utc:%Y-%m-%d %H:%M}")
            continue
        return crl
    detail = "; ".join(problems) or f"no CRL of {ca.subject.rfc4514_string()}"
    logger.error("certificate login refused, no usable CRL: %s", detail)
    raise LoginRefused(RefusalCode.CRL_UNAVAILABLE, detail)


def revocation_check(cert: x509.Certificate, ca: x509.Certificate, now: dt.datetime) -> None:
    """Refused when the records say revoked (certificates of the local CA) or the CA's
    CRL lists the serial; also when no usable CRL exists."""
    if IssuedCertificate.objects.filter(fingerprint=fingerprint(cert),
                                        revoked_at__isnull=False).exists():
        raise LoginRefused(RefusalCode.REVOKED, f"serial {cert.serial_number:x} (records)")
    crl = crl_for(ca, now)
    if crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None:
        raise LoginRefused(RefusalCode.REVOKED, f"serial {cert.serial_number:x}")
