"""certificate_bind / certificate_unbind: rules and audit events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from shebao.audit.models import ActorKind, Event
from shebao.audit.services import Actor
from shebao.certauth.ca import LocalCa
from shebao.certauth.models import CertificateBinding
from shebao.certauth.services import BindingError, certificate_bind, certificate_unbind
from shebao.certauth.tests.helpers import foreign_holder, open_unit, unit_with_certificate

pytestmark = pytest.mark.django_db

STAFF = Actor(ActorKind.STAFF, "jingban01", "10.1.2.3")


def test_bind_records_the_certificate_and_an_audit_event(local_ca: LocalCa,
                                                         tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, bind=False)
    binding = certificate_bind(holder.unit, holder.cert_pem, other_applications=True,
                               multi_use_authorized=True, actor=STAFF)

    assert (binding.unit, binding.active, binding.bound_by) == (holder.unit, True, "jingban01")
    assert binding.subject.startswith("C=CN, O=") and "shebao 本地测试证书机构" in binding.issuer
    assert binding.not_after > timezone.now()
    event = Event.objects.get(action="certificate_bind")
    assert (event.actor, event.source_ip, event.object_ref) == (
        "jingban01", "10.1.2.3", binding.fingerprint)
    assert event.before is None
    assert event.after == {"unit": holder.unit.number, "serial": binding.serial,
                           "other_applications": True, "multi_use_authorized": True}


def test_binding_again_updates_the_flags(local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, other_applications=True)
    certificate_bind(holder.unit, holder.cert_pem, other_applications=True,
                     multi_use_authorized=True, actor=STAFF)
    binding = CertificateBinding.objects.get()
    assert binding.multi_use_authorized and not binding.needs_multi_use_authorization
    event = Event.objects.filter(action="certificate_bind").latest("seq")
    assert event.before == {"other_applications": True, "multi_use_authorized": False}


def test_a_certificate_bound_elsewhere_is_refused(local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    # Same organization code, different unit: the code check passes, the binding does not.
    twin = open_unit(uscc=None, org_code=holder.unit.org_code)
    with pytest.raises(BindingError, match=f"该证书已绑定单位 {holder.unit.number}"):
        certificate_bind(twin, holder.cert_pem, actor=STAFF)


@pytest.mark.parametrize(("make", "message"), [
    ("foreign", "证书不是由受信任的证书机构签发"),
    ("expired", "证书已过期，不能绑定"),
    ("garbage", "证书格式不正确"),
    ("other-unit", "与单位"),
])
def test_bind_refusals(local_ca: LocalCa, tmp_path: Path, make: str, message: str) -> None:
    unit = open_unit()
    if make == "foreign":
        pem = foreign_holder(tmp_path, unit).cert_pem
    elif make == "expired":
        now = timezone.now()
        pem = unit_with_certificate(tmp_path, unit=unit, bind=False,
                                    not_before=now - dt.timedelta(days=9),
                                    not_after=now - dt.timedelta(days=1)).cert_pem
    elif make == "garbage":
        pem = "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----"
    else:
        pem = unit_with_certificate(tmp_path, bind=False).cert_pem
    with pytest.raises(BindingError, match=message):
        certificate_bind(unit, pem, actor=STAFF)
    assert not CertificateBinding.objects.filter(unit=unit).exists()


def test_unbind_keeps_history_and_allows_binding_again(local_ca: LocalCa,
                                                       tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    assert holder.binding is not None
    certificate_unbind(holder.binding, actor=STAFF)

    old = CertificateBinding.objects.get()
    assert (old.active, old.unbound_by) == (False, "jingban01") and old.unbound_at
    with pytest.raises(BindingError, match="该证书绑定已解除"):
        certificate_unbind(old, actor=STAFF)
    certificate_bind(holder.unit, holder.cert_pem, actor=STAFF)
    assert CertificateBinding.objects.filter(active=True).count() == 1
    event = Event.objects.get(action="certificate_unbind")
    assert event.before == {"unit": holder.unit.number}
