"""Reads scoped by the logged-in unit principal. A unit's data is fetched only through
these, from the principal (never from an id in the URL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from shebao.accounts.principal import Principal
from shebao.policy.insurances import ORDER
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit

from .models import CertificateBinding

EXPIRY_WARNING = dt.timedelta(days=30)


class UnitSessionInvalid(Exception):
    """The session's certificate may no longer be used; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class UnitSession:
    unit: Unit
    binding: CertificateBinding

    @property
    def expires_soon(self) -> bool:
        return self.binding.not_after - timezone.now() < EXPIRY_WARNING


def unit_for(principal: Principal) -> Unit:
    """The principal's own unit: 403 for any other kind of principal."""
    if not principal.is_unit or principal.unit_id is None:
        raise PermissionDenied
    unit = Unit.objects.filter(pk=principal.unit_id).first()
    if unit is None:
        raise Http404
    return unit


def unit_session_for(principal: Principal, *, now: dt.datetime | None = None) -> UnitSession:
    """The principal's unit and the binding of the certificate it logged in with, still
    usable now: bound, unit open, not expired, multi-use authorized if needed."""
    unit = unit_for(principal)
    binding = CertificateBinding.objects.filter(
        unit=unit, fingerprint=principal.credential, active=True,
    ).first()
    now = now or timezone.now()
    if binding is None:
        raise UnitSessionInvalid("登录所用证书与本单位的绑定已解除，请重新登录")
    if unit.online_status != OnlineStatus.OPEN:
        raise UnitSessionInvalid("本单位网上申报业务已暂停，请联系经办机构")
    if binding.not_after < now:
        raise UnitSessionInvalid("登录所用证书已过期，请更新证书后重新登录")
    if binding.needs_multi_use_authorization:
        raise UnitSessionInvalid("登录所用证书的一证多用授权已撤销，请联系经办机构")
    binding.unit = unit
    return UnitSession(unit, binding)


def unit_basic_info(unit: Unit) -> list[tuple[str, str]]:
    """The unit's basic information as (label, value) rows for its home page."""
    code_label, code = (("统一社会信用代码", unit.uscc) if unit.uscc
                        else ("组织机构代码", unit.printed_org_code))
    insurances = "、".join(str(i.label) for i in ORDER if i.value in unit.insurance_set)
    status = unit.get_online_status_display()
    if unit.online_opened_at:
        opened = timezone.localtime(unit.online_opened_at)
        status = f"{status}（{opened:%Y-%m-%d} 开通）"
    return [
        ("单位编号", unit.number),
        ("单位名称", unit.name),
        (code_label, code or "—"),
        ("社会保险登记证号", unit.registration_no),
        ("缴费地区", unit.get_district_display()),
        ("单位类型", unit.get_unit_type_display()),
        ("企业规模", unit.get_size_display()),
        ("结算周期", unit.get_settlement_cycle_display()),
        ("参保方式", unit.get_enrolment_mode_display()),
        ("参加险种", insurances or "—"),
        ("网上申报状态", status),
    ]
