"""API access tokens: issued after a certificate login, stored only as a SHA-256 hash."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from shebao.registry.models import Unit


class ApiToken(models.Model):
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE,
                             related_name="api_tokens")
    fingerprint = models.CharField("登录证书指纹", max_length=64)
    client_ip = models.CharField("来源地址", max_length=45, blank=True)
    created_at = models.DateTimeField("签发时间", default=timezone.now)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("注销时间", null=True, blank=True)

    class Meta:
        verbose_name = "接口访问令牌"
        verbose_name_plural = "接口访问令牌"
        indexes = [
            # serves: the purge of expired tokens
            models.Index(fields=["expires_at"], name="apitoken_expires"),
            # serves: a unit's active tokens (its tokens page, revoking them all)
            models.Index(fields=["unit", "expires_at"], name="apitoken_unit_expires"),
        ]
