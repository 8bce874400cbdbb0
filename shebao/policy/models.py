"""Policy parameters as rows with an effective period (inclusive months, YYYYMM).

The shipped file data/beijing_policy.csv is loaded into this table; staff upkeep
corrects figures by adding rows and retiring old ones, never by editing code.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


class Confidence(models.TextChoices):
    HIGH = "high", "高（官方文件或原文转载）"
    MEDIUM = "medium", "中"
    LOW = "low", "低"
    DERIVED = "derived", "推算（按公布规则由平均工资计算）"
    ASSUMED = "assumed", "假定（无出处，按文档决定）"
    PROVISIONAL = "provisional", "暂定（尚未公布，沿用上年）"


class PolicyRow(models.Model):
    key = models.CharField("参数", max_length=32)
    insurance = models.CharField("险种", max_length=64)
    party = models.CharField("缴费方", max_length=10)
    variant = models.CharField("适用情形", max_length=16, blank=True)
    value = models.CharField("数值", max_length=64)
    unit = models.CharField("单位", max_length=32)
    first_month = models.IntegerField("起始年月")
    last_month = models.IntegerField("终止年月", null=True, blank=True)
    confidence = models.CharField("可信度", max_length=12, choices=Confidence.choices)
    source = models.TextField("出处", blank=True)
    note = models.TextField("说明（英文）", blank=True)
    # The official notice that set the figure, as cited on a government page (《title》
    # （文号）); empty where no source names one. Shown as the figure's citation.
    document = models.TextField("依据文件", blank=True, default="")
    note_zh = models.TextField("说明", blank=True, default="")
    origin = models.CharField("来源", max_length=10, default="shipped")
    active = models.BooleanField("有效", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["key", "insurance", "party", "variant", "first_month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="policy_period_ordered",
            ),
        ]
        # serves: loading the active table into memory (policy.selectors)
        indexes = [models.Index(fields=["active", "key"], name="policy_active_key")]

    def __str__(self) -> str:
        return f"{self.key} {self.insurance} {self.party} {self.variant} {self.value}{self.unit}"
