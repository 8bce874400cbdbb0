"""The audit event log: append-only and hash-chained.

Each event's hash covers its own content and the previous event's hash, and `seq`
counts without gaps, so an edited or deleted event breaks the chain at that point.
"""

from __future__ import annotations

from django.db import models


class ActorKind(models.TextChoices):
    STAFF = "staff", "经办机构工作人员"
    UNIT = "unit", "参保单位"
    PERSON = "person", "参保人"
    SYSTEM = "system", "系统"
    ANONYMOUS = "anonymous", "未登录用户"


class Event(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    actor_kind = models.CharField("操作者类型", max_length=12, choices=ActorKind.choices)
    actor = models.CharField("操作者", max_length=64)
    source_ip = models.CharField("来源地址", max_length=45, blank=True)
    action = models.CharField("事件", max_length=48)
    object_type = models.CharField("对象类型", max_length=32, blank=True)
    object_ref = models.CharField("对象", max_length=64, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [
            # serves: staff search by object and by actor
            models.Index(fields=["object_type", "object_ref"], name="audit_object"),
            models.Index(fields=["actor_kind", "actor"], name="audit_actor"),
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_ref}"
