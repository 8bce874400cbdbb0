"""Snapshots of printed documents (证明): exactly what was printed, for /verify/."""

from __future__ import annotations

from django.db import models


class DocumentKind(models.TextChoices):
    UNIT_ENROLMENT = "unit_enrolment", "单位参保证明"
    UNIT_PAYMENTS = "unit_payments", "单位缴费明细"


class PrintedDocument(models.Model):
    """One print of a verifiable document: its facts as printed (JSON) and their
    SHA-256, the 查询流水号 (random, not a count) and the SHA-256 of its 校验码 (the code
    itself is printed, never stored). Append-only: a document is never edited."""

    serial = models.CharField("查询流水号", max_length=20, unique=True)
    code_digest = models.CharField("校验码摘要", max_length=64)
    kind = models.CharField("证明种类", max_length=20, choices=DocumentKind.choices)
    # the shard key, and the unit whose document it is
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT,
                             related_name="printed_documents")
    facts = models.JSONField("打印内容")
    digest = models.CharField("内容摘要", max_length=64)
    printed_at = models.DateTimeField("打印时间")

    class Meta:
        verbose_name = "已打印证明"
        verbose_name_plural = "已打印证明"
        # serves: a unit's prints, newest first (its documents page)
        indexes = [models.Index(fields=["unit", "-printed_at"], name="printed_unit_at")]
