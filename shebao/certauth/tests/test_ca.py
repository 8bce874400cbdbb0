"""The local CA: files, certificate contents, revocation and the CRL."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from shebao.audit.models import Event
from shebao.certauth.ca import (
    CaError,
    LocalCa,
    ca_init,
    ca_load,
    certificate_issue,
    certificate_revoke,
)
from shebao.certauth.certificates import fingerprint, unit_code
from shebao.certauth.models import IssuedCertificate
from shebao.certauth.tests.helpers import open_unit
from shebao.certauth.trust import can_sign_certificates, crl_for, issuer_find

pytestmark = pytest.mark.django_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_private_key_0600_certificate_and_empty_crl(local_ca: LocalCa) -> None:
    from django.conf import settings

    ca_dir = Path(settings.CA_DIR)
    assert mode(ca_dir / "ca-key.pem") == 0o600
    assert mode(ca_dir / "ca.pem") == 0o644
    assert can_sign_certificates(local_ca.certificate)
    crl = crl_for(local_ca.certificate, local_ca.certificate.not_valid_before_utc)
    assert len(crl) == 0
    assert ca_load().fingerprint == local_ca.fingerprint
    assert list(Event.objects.values_list("action", flat=True)) == ["ca_init", "crl_publish"]


def test_init_refuses_to_overwrite_unless_forced(local_ca: LocalCa) -> None:
    with pytest.raises(CaError, match="本地证书机构已存在"):
        ca_init()
    assert ca_init(force=True).fingerprint != local_ca.fingerprint


def test_load_without_init_says_to_run_init(tmp_path: Path, settings: Any) -> None:
    settings.CA_DIR = tmp_path / "none"
    with pytest.raises(CaError, match="请先运行 shebao ca init"):
        ca_load()


def test_issued_certificate_names_the_unit_and_is_recorded(local_ca: LocalCa,
                                                           tmp_path: Path) -> None:
    unit = open_unit()
    files = certificate_issue(unit, tmp_path / "out", password="pw-123456")

    cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == unit.uscc
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == unit.uscc
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == unit.name
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == unit.name
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert issuer_find(cert, cert.not_valid_before_utc) == local_ca.certificate
    record = IssuedCertificate.objects.get()
    assert (record.fingerprint, record.unit) == (fingerprint(cert), unit)
    assert record.serial == format(cert.serial_number, "x")


def test_key_is_unencrypted_pkcs8_0600_and_p12_opens_with_its_password(
        local_ca: LocalCa, tmp_path: Path) -> None:
    files = certificate_issue(open_unit(), tmp_path / "out", password="pw-123456")

    key_pem = files.key_path.read_bytes()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert serialization.load_pem_private_key(key_pem, password=None)
    assert mode(files.key_path) == 0o600 and mode(files.p12_path) == 0o600
    key, cert, extra = pkcs12.load_key_and_certificates(files.p12_path.read_bytes(),
                                                        b"pw-123456")
    assert key is not None and cert is not None
    assert fingerprint(cert) == files.record.fingerprint
    assert [fingerprint(c) for c in extra] == [local_ca.fingerprint]
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(files.p12_path.read_bytes(), b"wrong")


def test_unit_without_uscc_carries_its_organization_code(local_ca: LocalCa,
                                                         tmp_path: Path) -> None:
    unit = open_unit(uscc=None)
    files = certificate_issue(unit, tmp_path / "out")
    cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())
    assert unit_code(cert) == unit.org_code
    assert len(files.password) >= 12  # generated


def test_issue_refuses_to_overwrite_files_unless_forced(local_ca: LocalCa,
                                                        tmp_path: Path) -> None:
    unit = open_unit()
    certificate_issue(unit, tmp_path / "out")
    with pytest.raises(CaError, match=r"已有 cert\.pem、key\.pem、unit\.p12"):
        certificate_issue(unit, tmp_path / "out")
    certificate_issue(unit, tmp_path / "out", force=True)
    assert IssuedCertificate.objects.count() == 2


def test_revoke_lists_the_serial_in_a_crl_signed_by_the_ca(local_ca: LocalCa,
                                                          tmp_path: Path) -> None:
    files = certificate_issue(open_unit(), tmp_path / "out")
    cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())

    record, newly = certificate_revoke(cert)

    assert newly and record.revoked_at is not None
    crl = crl_for(local_ca.certificate, record.revoked_at)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    again, newly_again = certificate_revoke(cert)
    assert not newly_again and again.revoked_at == record.revoked_at
    assert Event.objects.filter(action="certificate_revoke").count() == 1


def test_revoke_refuses_a_certificate_it_did_not_issue(local_ca: LocalCa,
                                                       tmp_path: Path) -> None:
    from shebao.certauth.tests.helpers import foreign_holder

    holder = foreign_holder(tmp_path, open_unit())
    cert = x509.load_pem_x509_certificate(holder.cert_path.read_bytes())
    with pytest.raises(CaError, match="不是本地证书机构签发的"):
        certificate_revoke(cert)
