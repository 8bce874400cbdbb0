"""Unit certificates: what the local CA issued, which certificate is bound to which unit,
the one-time login challenges, and the login rate limiter's counters.

Certificates are identified by their SHA-256 fingerprint (hex of the DER encoding);
serial numbers are kept as lower-case hex.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shebao.registry.models import Unit


class IssuedCertificate(models.Model):
    """A certificate issued by the local test CA (`shebao ca issue`), so it can be revoked
    and listed in the CRL. Production certificates come from the Beijing CA instead."""

    serial = models.CharField("序列号", max_length=64, unique=True)
    fingerprint = models.CharField("SHA-256 指纹", max_length=64, unique=True)
    ca_fingerprint = models.CharField("签发机构证书指纹", max_length=64)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT,
                             related_name="issued_certificates")
    subject = models.CharField("证书主题", max_length=300)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    pem = models.TextField("证书（PEM）")
    issued_at = models.DateTimeField("签发时间", default=timezone.now)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "本地签发证书"
        verbose_name_plural = "本地签发证书"
        # serves: the CRL, i.e. the revoked certificates of one CA
        indexes = [models.Index(fields=["ca_fingerprint", "revoked_at"], name="issued_ca_revoked")]

    def __str__(self) -> str:
        return f"{self.serial} {self.subject}"


class CertificateBinding(models.Model):
    """A certificate bound to a unit for online declaration (网上申报开户).

    A unit may have several bound certificates (several USB Keys); a certificate is bound
    to at most one unit at a time. Unbinding keeps the row (active=False) as history.
    """

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT,
                             related_name="certificate_bindings")
    fingerprint = models.CharField("SHA-256 指纹", max_length=64)
    serial = models.CharField("序列号", max_length=64)
    subject = models.CharField("证书主题", max_length=300)
    issuer = models.CharField("颁发机构", max_length=300)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    pem = models.TextField("证书（PEM）")
    other_applications = models.BooleanField("已用于其他业务系统", default=False)
    multi_use_authorized = models.BooleanField(
        "已登记一证多用授权", default=False,
        help_text="《数字证书一证多用授权书》已由经办机构登记",
    )
    active = models.BooleanField("有效", default=True)
    bound_at = models.DateTimeField("绑定时间", default=timezone.now)
    bound_by = models.CharField("绑定操作者", max_length=64)
    unbound_at = models.DateTimeField("解除绑定时间", null=True, blank=True)
    unbound_by = models.CharField("解除绑定操作者", max_length=64, blank=True)

    class Meta:
        verbose_name = "证书绑定"
        verbose_name_plural = "证书绑定"
        constraints = [
            # also serves: the login lookup of the active binding by fingerprint
            models.UniqueConstraint(fields=["fingerprint"], condition=Q(active=True),
                                    name="binding_one_active_per_certificate"),
            models.CheckConstraint(condition=Q(active=True) | Q(unbound_at__isnull=False),
                                   name="binding_inactive_has_unbound_at"),
        ]
        # serves: a unit's certificates (unit home page, staff pages)
        indexes = [models.Index(fields=["unit", "active"], name="binding_unit_active")]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.fingerprint[:16]}"

    @property
    def needs_multi_use_authorization(self) -> bool:
        return self.other_applications and not self.multi_use_authorized


class Channel(models.TextChoices):
    API = "api", "接口"
    WEB = "web", "网页"


class LoginChallenge(models.Model):
    """A one-time nonce the client signs with its certificate's private key."""

    nonce = models.CharField("随机数", max_length=64, unique=True)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    client_ip = models.CharField("来源地址", max_length=45, blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录挑战"
        verbose_name_plural = "登录挑战"
        # serves: the purge of old challenges
        indexes = [models.Index(fields=["expires_at"], name="challenge_expires")]
