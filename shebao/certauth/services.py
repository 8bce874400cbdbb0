"""Binding a certificate to a unit (证书绑定) and removing the binding.

Staff bind a unit's certificate when they open its online declaration (开户); the staff
pages come with the application workflow, `shebao ca bind` does it from the command
line. A certificate already used for other applications (一证多用) is bound with
`other_applications=True` and can log in only once the authorization letter
(《数字证书一证多用授权书》) is recorded (`multi_use_authorized=True`).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.db import IntegrityError, transaction
from django.utils import timezone

from shebao.audit.services import Actor, event_record
from shebao.registry.models import Unit

from .certificates import (
    CertificateFormatError,
    certificate_parse,
    fingerprint,
    name_text,
    serial_hex,
    unit_code,
)
from .errors import LoginRefused
from .models import CertificateBinding
from .trust import issuer_find


class BindingError(Exception):
    """A binding that cannot be made; the message is Chinese."""


def _flags(binding: CertificateBinding) -> dict[str, bool]:
    return {"other_applications": binding.other_applications,
            "multi_use_authorized": binding.multi_use_authorized}


def code_matches(code: str, unit: Unit) -> bool:
    """[decision] A certificate naming a unit code must name this unit's: its USCC, its
    organization code, or a USCC whose characters 9–17 are its organization code (a
    unit whose record predates the USCC)."""
    code = code.replace("-", "").upper()
    return code in {unit.uscc, unit.org_code} or (len(code) == 18 and code[8:17] == unit.org_code)


def _check_certificate(unit: Unit, pem: str) -> tuple[str, x509.Certificate]:
    try:
        cert = certificate_parse(pem)
    except CertificateFormatError as exc:
        raise BindingError(str(exc)) from exc
    now = timezone.now()
    try:
        issuer_find(cert, now)
    except LoginRefused as exc:
        raise BindingError(exc.message) from exc
    if cert.not_valid_after_utc < now:
        raise BindingError("证书已过期，不能绑定")
    code = unit_code(cert)
    if code and not code_matches(code, unit):
        raise BindingError(f"证书中的单位代码 {code} 与单位 {unit.number} 的统一社会信用代码"
                           "或组织机构代码不一致")
    return fingerprint(cert), cert


def certificate_bind(unit: Unit, pem: str, *, other_applications: bool = False,
                     multi_use_authorized: bool = False, actor: Actor) -> CertificateBinding:
    """Bind the certificate to `unit`. Binding it again to the same unit updates the
    multi-use flags; a certificate bound to another unit is refused."""
    fp, cert = _check_certificate(unit, pem)
    with transaction.atomic():
        current = (CertificateBinding.objects.select_for_update().select_related("unit")
                   .filter(fingerprint=fp, active=True).first())
        if current is not None and current.unit_id != unit.id:
            raise BindingError(f"该证书已绑定单位 {current.unit.number}，须先解除原绑定")
        before = _flags(current) if current is not None else None
        binding = current or _new_binding(unit, fp, cert, actor)
        binding.other_applications = other_applications
        binding.multi_use_authorized = multi_use_authorized
        try:
            with transaction.atomic():
                binding.save()
        except IntegrityError as exc:  # a concurrent bind of the same certificate
            raise BindingError("该证书正在被绑定到其他单位，请稍后重试") from exc
        event_record(actor=actor, action="certificate_bind", object_type="certificate",
                     object_ref=fp, before=before,
                     after={"unit": unit.number, "serial": binding.serial, **_flags(binding)})
    return binding


def _new_binding(unit: Unit, fp: str, cert: x509.Certificate,
                 actor: Actor) -> CertificateBinding:
    return CertificateBinding(
        unit=unit, fingerprint=fp, serial=serial_hex(cert),
        subject=name_text(cert.subject)[:300], issuer=name_text(cert.issuer)[:300],
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc,
        pem=cert.public_bytes(Encoding.PEM).decode("ascii"), bound_by=actor.ident[:64],
    )


def certificate_unbind(binding: CertificateBinding, *, actor: Actor) -> CertificateBinding:
    """End a binding: the certificate can no longer log in, and sessions and API tokens
    started with it stop working at their next request."""
    if not binding.active:
        raise BindingError("该证书绑定已解除")
    with transaction.atomic():
        binding.active = False
        binding.unbound_at = timezone.now()
        binding.unbound_by = actor.ident[:64]
        binding.save(update_fields=["active", "unbound_at", "unbound_by"])
        event_record(actor=actor, action="certificate_unbind", object_type="certificate",
                     object_ref=binding.fingerprint, before={"unit": binding.unit.number})
    return binding
