"""Test helpers for certificate login, shared by the certauth and api tests.

`local_ca` points the CA and trust settings at a temporary directory and creates a CA
there; `unit_with_certificate` gives an open unit with an issued (and bound) certificate;
`sign` signs a nonce as a client would (ECDSA P-256, SHA-256, DER, Base64).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from shebao.audit.services import SYSTEM
from shebao.certauth.ca import CA_NAME, LocalCa, ca_init, certificate_issue, unit_subject
from shebao.certauth.models import CertificateBinding
from shebao.certauth.services import certificate_bind
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit
from shebao.tests.helpers import make_unit

TEST_P12_PASSWORD = "test-password"


@pytest.fixture
def local_ca(tmp_path: Path, settings: Any) -> LocalCa:
    """A fresh local CA in a temporary directory, trusted, with an empty CRL."""
    ca_dir = tmp_path / "ca"
    settings.CA_DIR = ca_dir
    settings.CERT_TRUSTED_CA_FILES = [ca_dir / "ca.pem"]
    settings.CERT_CRL_FILES = [ca_dir / "crl.pem"]
    return ca_init()


@dataclass
class Holder:
    """A unit and the files of its certificate, as the unit's operator holds them."""

    unit: Unit
    directory: Path
    binding: CertificateBinding | None

    @property
    def cert_pem(self) -> str:
        return (self.directory / "cert.pem").read_text()

    @property
    def key_path(self) -> Path:
        return self.directory / "key.pem"

    @property
    def cert_path(self) -> Path:
        return self.directory / "cert.pem"

    def sign(self, nonce: str) -> str:
        return sign(self.key_path.read_bytes(), nonce)


def open_unit(**fields: Any) -> Unit:
    fields.setdefault("online_status", OnlineStatus.OPEN)
    fields.setdefault("online_opened_at", timezone.now())
    return make_unit(**fields)


def unit_with_certificate(directory: Path, *, unit: Unit | None = None, bind: bool = True,
                          other_applications: bool = False, multi_use_authorized: bool = False,
                          not_before: dt.datetime | None = None,
                          not_after: dt.datetime | None = None, **unit_fields: Any) -> Holder:
    unit = unit or open_unit(**unit_fields)
    out = directory / f"cert-{unit.number}-{timezone.now().timestamp()}"
    files = certificate_issue(unit, out, not_before=not_before, not_after=not_after,
                              password=TEST_P12_PASSWORD)
    binding = None
    if bind:
        binding = certificate_bind(unit, files.record.pem, other_applications=other_applications,
                                   multi_use_authorized=multi_use_authorized, actor=SYSTEM)
    return Holder(unit, out, binding)


@pytest.fixture
def holder(local_ca: LocalCa, tmp_path: Path) -> Holder:
    """A unit with online declaration open and a bound certificate from `local_ca`."""
    return unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")


def sign(key_pem: bytes, nonce: str) -> str:
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signature = key.sign(nonce.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode("ascii")


def foreign_holder(directory: Path, unit: Unit, *, same_name: bool = True) -> Holder:
    """A certificate for `unit` from a CA nobody trusts; with `same_name`, that CA even
    impersonates the local CA's name, so only the signature check can tell."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = CA_NAME if same_name else x509.Name(
        [x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "冒充的证书机构")])
    key = ec.generate_private_key(ec.SECP256R1())
    now = timezone.now()
    cert = (
        x509.CertificateBuilder().subject_name(unit_subject(unit)).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    out = directory / f"foreign-{unit.number}"
    out.mkdir(parents=True)
    (out / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (out / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return Holder(unit, out, None)
