"""Pure helpers over X.509 certificates (the `cryptography` package): parsing, the
fingerprint that identifies a certificate everywhere, and readable names."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

PEM_CERT_BEGIN = "-----BEGIN CERTIFICATE-----"
MAX_PEM_CHARS = 20_000

# Short names for the subject and issuer shown on pages and in the audit log.
_ATTRIBUTE_NAMES = {
    NameOID.COUNTRY_NAME: "C",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.COMMON_NAME: "CN",
    NameOID.SERIAL_NUMBER: "serialNumber",
}


class CertificateFormatError(ValueError):
    """Not a PEM certificate; the message is Chinese."""


def certificate_parse(pem: str | bytes) -> x509.Certificate:
    """Exactly one PEM certificate, or CertificateFormatError."""
    text = pem.decode("ascii", "replace") if isinstance(pem, bytes) else pem
    if len(text) > MAX_PEM_CHARS:
        raise CertificateFormatError("证书文件过大，不是有效的证书")
    if PEM_CERT_BEGIN not in text:
        raise CertificateFormatError("证书格式不正确：应为 PEM 格式的 X.509 证书（cert.pem）")
    try:
        certs = x509.load_pem_x509_certificates(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise CertificateFormatError("证书格式不正确，无法解析证书内容") from exc
    if len(certs) != 1:
        raise CertificateFormatError("证书文件应只包含一张证书")
    return certs[0]


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER encoding, lower-case hex: the certificate's identity."""
    return cert.fingerprint(hashes.SHA256()).hex()


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def name_text(name: x509.Name) -> str:
    """'CN=…, O=…' with the attributes we know, in the order they appear."""
    parts = []
    for attr in name:
        label = _ATTRIBUTE_NAMES.get(attr.oid, attr.oid.dotted_string)
        parts.append(f"{label}={attr.value!s}")
    return ", ".join(parts)


def name_attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def unit_code(cert: x509.Certificate) -> str:
    """The unit identifier the subject carries (USCC or organization code), or ''."""
    return (name_attribute(cert.subject, NameOID.SERIAL_NUMBER)
            or name_attribute(cert.subject, NameOID.ORGANIZATIONAL_UNIT_NAME))


def validity(cert: x509.Certificate) -> tuple[dt.datetime, dt.datetime]:
    return cert.not_valid_before_utc, cert.not_valid_after_utc
