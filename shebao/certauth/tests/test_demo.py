"""demo_certificates_issue: a CA if missing, a bound certificate per unit, usable at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs12

from shebao.certauth.challenges import challenge_issue
from shebao.certauth.demo import DEMO_P12_PASSWORD, README_NAME, demo_certificates_issue
from shebao.certauth.models import CertificateBinding
from shebao.certauth.tests.helpers import Holder, open_unit
from shebao.certauth.verify import login_verify

pytestmark = pytest.mark.django_db


def test_demo_certificates_are_written_bound_and_log_in(tmp_path: Path, settings: Any) -> None:
    settings.CA_DIR = tmp_path / "ca"
    settings.CERT_TRUSTED_CA_FILES = [tmp_path / "ca" / "ca.pem"]
    settings.CERT_CRL_FILES = [tmp_path / "ca" / "crl.pem"]
    units = [open_unit(), open_unit(uscc=None)]
    out = tmp_path / "demo-certs"

    written = demo_certificates_issue(units, out)

    assert (tmp_path / "ca" / "ca.pem").exists()
    assert [w.unit_number for w in written] == [u.number for u in units]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(u.number for u in units), README_NAME])
    assert DEMO_P12_PASSWORD in (out / README_NAME).read_text(encoding="utf-8")
    first = written[0]
    assert first.password == DEMO_P12_PASSWORD
    assert pkcs12.load_key_and_certificates(first.p12_path.read_bytes(),
                                            DEMO_P12_PASSWORD.encode())[0] is not None
    assert CertificateBinding.objects.filter(active=True).count() == 2
    holder = Holder(units[1], out / units[1].number, None)
    nonce = challenge_issue(channel="api").nonce
    login = login_verify(certificate_pem=holder.cert_pem, nonce=nonce,
                         signature=holder.sign(nonce), channel="api")
    assert login.unit == units[1]


def test_running_it_again_keeps_the_ca_and_replaces_the_files(tmp_path: Path,
                                                             settings: Any) -> None:
    settings.CA_DIR = tmp_path / "ca"
    settings.CERT_TRUSTED_CA_FILES = [tmp_path / "ca" / "ca.pem"]
    settings.CERT_CRL_FILES = [tmp_path / "ca" / "crl.pem"]
    unit = open_unit()
    demo_certificates_issue([unit], tmp_path / "d")
    ca_pem = (tmp_path / "ca" / "ca.pem").read_bytes()
    demo_certificates_issue([unit], tmp_path / "d")
    assert (tmp_path / "ca" / "ca.pem").read_bytes() == ca_pem
    assert CertificateBinding.objects.filter(unit=unit, active=True).count() == 2
