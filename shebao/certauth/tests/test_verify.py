"""login_verify checks the API cannot reach directly: trust-anchor properties, key types,
raw DER signatures."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone

from shebao.certauth.ca import LocalCa, certificate_revoke, unit_subject
from shebao.certauth.challenges import challenge_issue
from shebao.certauth.errors import LoginRefused, RefusalCode
from shebao.certauth.tests.helpers import open_unit, unit_with_certificate
from shebao.certauth.verify import login_verify

pytestmark = pytest.mark.django_db


def refused(pem: str, signature: bytes | str = b"x") -> RefusalCode:
    nonce = challenge_issue(channel="api").nonce
    with pytest.raises(LoginRefused) as excinfo:
        login_verify(certificate_pem=pem, nonce=nonce, signature=signature, channel="api")
    return excinfo.value.code


def test_raw_der_signature_is_accepted(local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    nonce = challenge_issue(channel="api").nonce
    der = base64.b64decode(holder.sign(nonce))
    login = login_verify(certificate_pem=holder.cert_pem, nonce=nonce, signature=der,
                         channel="api")
    assert login.unit == holder.unit


def test_the_ca_certificate_itself_cannot_log_in(local_ca: LocalCa) -> None:
    pem = local_ca.certificate.public_bytes(serialization.Encoding.PEM).decode()
    assert refused(pem) == RefusalCode.NOT_FOR_SIGNING


def test_a_trusted_file_that_is_not_a_ca_is_no_trust_anchor(local_ca: LocalCa, tmp_path: Path,
                                                             settings: Any) -> None:
    holder = unit_with_certificate(tmp_path)
    # Trust only the unit certificate itself: it is no CA, so nothing chains to it.
    anchor = tmp_path / "leaf-as-anchor.pem"
    anchor.write_text(holder.cert_pem)
    settings.CERT_TRUSTED_CA_FILES = [anchor]
    assert refused(holder.cert_pem) == RefusalCode.UNTRUSTED_ISSUER


def test_rsa_certificate_from_the_trusted_ca_is_unsupported(local_ca: LocalCa) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = timezone.now()
    cert = (
        x509.CertificateBuilder().subject_name(unit_subject(open_unit()))
        .issuer_name(local_ca.certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(local_ca.key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert refused(pem) == RefusalCode.UNSUPPORTED_KEY


def test_missing_trusted_ca_file_means_untrusted(local_ca: LocalCa, tmp_path: Path,
                                                 settings: Any) -> None:
    holder = unit_with_certificate(tmp_path)
    settings.CERT_TRUSTED_CA_FILES = [tmp_path / "missing.pem"]
    assert refused(holder.cert_pem) == RefusalCode.UNTRUSTED_ISSUER


def test_revoked_in_the_database_is_refused_even_when_the_crl_file_omits_it(
        local_ca: LocalCa, tmp_path: Path, settings: Any) -> None:
    """The CRL file can be older than the records (overwritten, restored from a backup,
    republished by another CA run): a certificate the records say is revoked stays out."""
    holder = unit_with_certificate(tmp_path)
    crl_file = Path(settings.CERT_CRL_FILES[0])
    crl_before = crl_file.read_bytes()
    certificate_revoke(x509.load_pem_x509_certificate(holder.cert_pem.encode()))
    crl_file.write_bytes(crl_before)  # a current, validly signed CRL without the serial
    nonce = challenge_issue(channel="api").nonce
    with pytest.raises(LoginRefused) as excinfo:
        login_verify(certificate_pem=holder.cert_pem, nonce=nonce,
                     signature=holder.sign(nonce), channel="api")
    assert excinfo.value.code == RefusalCode.REVOKED
    assert excinfo.value.message == "证书已被吊销"
