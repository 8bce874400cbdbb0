"""The local certificate authority (本地测试证书机构) of `shebao ca`: for the demo, the
tests and development. Production trusts the Beijing digital certificate authority's
roots instead (settings.CERT_TRUSTED_CA_FILES) and never runs this CA.

Files under settings.CA_DIR: ca-key.pem (the CA's private key, mode 0600) and ca.pem
(its self-signed certificate). The CRL goes to settings.CERT_CRL_FILES[0]. Unit
certificates carry ECDSA P-256 keys; their subject names the unit (O, CN) and its
unified social credit code, or organization code when it has none (serialNumber, OU).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.registry.models import Unit

from .certificates import fingerprint, name_text, serial_hex
from .models import IssuedCertificate

CA_KEY_FILE = "ca-key.pem"
CA_CERT_FILE = "ca.pem"
CA_NAME = x509.Name([
    x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "北京市社会保险网上申报查询系统"),
    x509.NameAttribute(NameOID.COMMON_NAME, "shebao 本地测试证书机构"),
])
CA_VALIDITY = dt.timedelta(days=3650)
CERT_VALIDITY = dt.timedelta(days=365)
CLOCK_SKEW = dt.timedelta(minutes=5)
# The local CRL stays valid for 30 days; `shebao ca crl` (daily, by cron) renews it.
CRL_VALIDITY = dt.timedelta(days=30)
NAME_MAX = 64  # X.520 upper bound for O and CN


class CaError(Exception):
    """A CA operation that cannot be done; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class LocalCa:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate)


@dataclass(frozen=True, slots=True)
class PublishedCrl:
    path: Path
    revoked: int
    next_update: dt.datetime


@dataclass(frozen=True, slots=True)
class IssuedFiles:
    record: IssuedCertificate
    cert_path: Path
    key_path: Path
    p12_path: Path
    password: str


def ca_dir() -> Path:
    return Path(settings.CA_DIR)


def crl_path() -> Path:
    return Path(settings.CERT_CRL_FILES[0])


def file_write(path: Path, data: bytes, mode: int) -> None:
    """Write via a temporary file created with `mode`, then rename: never a half-written
    file, and never a moment when a private key is readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)  # the umask may have narrowed it
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ca_init(*, force: bool = False, actor: Actor = SYSTEM) -> LocalCa:
    """Create the CA key and self-signed certificate, and publish an empty CRL."""
    key_path, cert_path = ca_dir() / CA_KEY_FILE, ca_dir() / CA_CERT_FILE
    if (key_path.exists() or cert_path.exists()) and not force:
        raise CaError(f"本地证书机构已存在（{ca_dir()}），如需重新创建请加 --force："
                      "原证书机构签发的证书将全部失效")
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(CA_NAME).issuer_name(CA_NAME).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW).not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    file_write(key_path, key_pem, 0o600)
    file_write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    ca = LocalCa(cert, key)
    event_record(actor=actor, action="ca_init", object_type="ca", object_ref=ca.fingerprint,
                 after={"dir": str(ca_dir()), "replaced": force})
    crl_publish(actor=actor)
    return ca


def ca_load() -> LocalCa:
    key_path, cert_path = ca_dir() / CA_KEY_FILE, ca_dir() / CA_CERT_FILE
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    except FileNotFoundError:
        raise CaError(f"本地证书机构尚未创建（{ca_dir()}），请先运行 shebao ca init") from None
    except (OSError, ValueError) as exc:
        raise CaError(f"无法读取本地证书机构文件（{ca_dir()}）：{exc}") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CaError("本地证书机构私钥不是 ECDSA 密钥")
    return LocalCa(cert, key)


def _key_usage(*, digital_signature: bool = False, content_commitment: bool = False,
               key_cert_sign: bool = False, crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=content_commitment,
        key_encipherment=False, data_encipherment=False, key_agreement=False,
        key_cert_sign=key_cert_sign, crl_sign=crl_sign, encipher_only=False,
        decipher_only=False,
    )


def unit_subject(unit: Unit) -> x509.Name:
    code = unit.uscc or unit.org_code
    name = unit.name[:NAME_MAX]
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, code),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])


def _unit_certificate(ca: LocalCa, unit: Unit, key: ec.EllipticCurvePrivateKey,
                      not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(unit_subject(unit)).issuer_name(ca.certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True),
                       critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                       critical=False)
        .sign(ca.key, hashes.SHA256())
    )


OUTPUT_FILES = ("cert.pem", "key.pem", "unit.p12")


def certificate_issue(unit: Unit, out_dir: Path, *, not_before: dt.datetime | None = None,
                      not_after: dt.datetime | None = None, password: str | None = None,
                      force: bool = False, actor: Actor = SYSTEM) -> IssuedFiles:
    """Issue a certificate for `unit` into `out_dir`: cert.pem, key.pem (unencrypted
    PKCS#8, 0600) and unit.p12 (PKCS#12 with key, certificate and CA, `password`)."""
    ca = ca_load()
    start = not_before or timezone.now() - CLOCK_SKEW
    end = not_after or start + CERT_VALIDITY
    if end <= start:
        raise CaError("证书失效时间必须晚于生效时间")
    existing = [name for name in OUTPUT_FILES if (out_dir / name).exists()]
    if existing and not force:
        raise CaError(f"目录 {out_dir} 中已有 {'、'.join(existing)}，如需覆盖请加 --force")
    password = password or secrets.token_urlsafe(9)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _unit_certificate(ca, unit, key, start, end)
    p12 = pkcs12.serialize_key_and_certificates(
        unit.number.encode(), key, cert, [ca.certificate],
        serialization.BestAvailableEncryption(password.encode()),
    )
    paths = [out_dir / name for name in OUTPUT_FILES]
    file_write(paths[0], cert.public_bytes(serialization.Encoding.PEM), 0o644)
    file_write(paths[1], key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()), 0o600)
    file_write(paths[2], p12, 0o600)
    with transaction.atomic():
        record = IssuedCertificate.objects.create(
            serial=serial_hex(cert), fingerprint=fingerprint(cert),
            ca_fingerprint=ca.fingerprint, unit=unit, subject=name_text(cert.subject)[:300],
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
            pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        )
        event_record(actor=actor, action="certificate_issue", object_type="certificate",
                     object_ref=record.fingerprint,
                     after={"unit": unit.number, "serial": record.serial,
                            "not_before": start.isoformat(), "not_after": end.isoformat()})
    return IssuedFiles(record, paths[0], paths[1], paths[2], password)


def certificate_revoke(cert: x509.Certificate, *, actor: Actor = SYSTEM
                       ) -> tuple[IssuedCertificate, bool]:
    """Revoke a certificate of the local CA and republish the CRL. Returns the record
    and whether it was revoked now (False: it already was; the CRL is republished)."""
    ca = ca_load()
    record = IssuedCertificate.objects.filter(fingerprint=fingerprint(cert)).first()
    if record is None:
        raise CaError("该证书不是本地证书机构签发的，无法吊销")
    if record.ca_fingerprint != ca.fingerprint:
        raise CaError("该证书由已被替换的本地证书机构签发，已不受信任，无需吊销")
    newly = record.revoked_at is None
    if newly:
        with transaction.atomic():
            record.revoked_at = timezone.now()
            record.save(update_fields=["revoked_at"])
            event_record(actor=actor, action="certificate_revoke", object_type="certificate",
                         object_ref=record.fingerprint,
                         after={"serial": record.serial, "unit": record.unit.number})
    crl_publish(actor=actor)
    return record, newly


def crl_publish(*, actor: Actor = SYSTEM, now: dt.datetime | None = None) -> PublishedCrl:
    """Sign a CRL of every revoked certificate of the current CA; write it to
    settings.CERT_CRL_FILES[0]."""
    ca = ca_load()
    now = now or timezone.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now).next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp() * 1000)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                       critical=False)
    )
    revoked = IssuedCertificate.objects.filter(ca_fingerprint=ca.fingerprint,
                                               revoked_at__isnull=False).order_by("revoked_at")
    count = 0
    for serial, revoked_at in revoked.values_list("serial", "revoked_at").iterator():
        if revoked_at is None:  # excluded by the filter; for the type checker
            continue
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(int(serial, 16))
            .revocation_date(revoked_at).build()
        )
        count += 1
    crl = builder.sign(ca.key, hashes.SHA256())
    path = crl_path()
    file_write(path, crl.public_bytes(serialization.Encoding.PEM), 0o644)
    published = PublishedCrl(path, count, now + CRL_VALIDITY)
    event_record(actor=actor, action="crl_publish", object_type="ca", object_ref=ca.fingerprint,
                 after={"path": str(path), "revoked": count,
                        "next_update": published.next_update.isoformat()})
    return published
