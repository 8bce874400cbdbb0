"""Declarations (申报): what a unit declares, with lines and a lifecycle.

草稿 → 已提交 → 审核中 (where review is needed) → 已生效 or 已退回 (with a reason).
Each submitted declaration keeps its canonical content, the certificate and signature
over it, and a receipt number (回执号) with a verification code anyone can check.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shebao.registry.models import Person, Unit


class DeclarationKind(models.TextChoices):
    ENROL = "enrol", "增员"
    LEAVE = "leave", "减员"
    WAGE = "wage", "缴费工资申报"
    BACKPAY = "backpay", "补缴"
    UNIT_CHANGE = "unit_change", "单位信息变更"
    PERSON_CHANGE = "person_change", "个人信息变更"


# The information changes (信息变更): their lines are changed items, not persons.
CHANGE_KINDS = frozenset({DeclarationKind.UNIT_CHANGE, DeclarationKind.PERSON_CHANGE})


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    REVIEWING = "reviewing", "审核中"
    EFFECTIVE = "effective", "已生效"
    RETURNED = "returned", "已退回"


TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.REVIEWING, Status.EFFECTIVE, Status.RETURNED},
    Status.REVIEWING: {Status.EFFECTIVE, Status.RETURNED},
    Status.EFFECTIVE: set(),
    Status.RETURNED: set(),
}


class Source(models.TextChoices):
    WEB = "web", "网上填报"
    BATCH = "batch", "报盘文件"
    API = "api", "接口"


class Declaration(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="declarations")
    kind = models.CharField("业务类型", max_length=16, choices=DeclarationKind.choices)
    status = models.CharField("状态", max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    receipt_no = models.CharField("回执号", max_length=24, unique=True, null=True, blank=True)
    verification_code = models.CharField("验证码", max_length=16, unique=True, null=True,
                                         blank=True)
    file_digest = models.CharField("报盘文件摘要", max_length=64, blank=True)
    file_name = models.CharField("报盘文件名", max_length=200, blank=True)
    content = models.TextField("申报内容（规范化）", blank=True)
    content_digest = models.CharField("内容摘要", max_length=64, blank=True)
    signature = models.TextField("签名", blank=True)
    certificate_pem = models.TextField("签名证书", blank=True)
    certificate_fingerprint = models.CharField("证书指纹", max_length=64, blank=True)
    effective_month = models.IntegerField("生效年月", null=True, blank=True)
    # 缴费工资申报: the policy year whose bases it declares (from the window it was made in).
    policy_year = models.IntegerField("缴费年度", null=True, blank=True)
    # A draft's handle in URLs (confirm, content, submit): random, unguessable.
    draft_token = models.CharField("草稿令牌", max_length=32, unique=True, null=True,
                                   blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.CharField("审核人", max_length=64, blank=True)
    return_reason = models.TextField("退回原因", blank=True)

    class Meta:
        verbose_name = "申报"
        verbose_name_plural = "申报"
        constraints = [
            # The same batch file content is applied once per unit and kind.
            models.UniqueConstraint(
                fields=["unit", "kind", "file_digest"], condition=~Q(file_digest=""),
                name="declaration_file_once",
            ),
        ]
        indexes = [
            # serves: a unit's declaration list, newest first
            models.Index(fields=["unit", "-created_at"], name="decl_unit_created"),
            # serves: the staff review queue
            models.Index(fields=["status", "submitted_at"], name="decl_status_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_no or '草稿'} {self.get_kind_display()}"


class DeclarationLine(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField("行号")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    name = models.CharField("姓名", max_length=50, blank=True)
    data = models.JSONField("申报项目", default=dict)

    class Meta:
        verbose_name = "申报明细"
        verbose_name_plural = "申报明细"
        ordering = ["line_no"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "line_no"], name="decl_line_once"),
        ]
        indexes = [
            # serves: a unit's declarations holding one person (申报记录, 含身份证号码)
            models.Index(fields=["id_number"], name="decl_line_id_number"),
        ]


class BatchUpload(models.Model):
    """A batch file upload, kept for a short while (declarations.uploads.UPLOAD_TTL) under
    a random token and its unit: the bytes and error report of a refused file, for its
    errors workbook, or the draft a valid file became, for the confirm and sign step.
    Nothing here is business state; expired rows are deleted."""

    token = models.CharField("令牌", max_length=32, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("报盘类型", max_length=8)  # batch file kind: add/remove/wage/backpay
    file_name = models.CharField("文件名", max_length=200)
    digest = models.CharField("文件摘要", max_length=64)
    data = models.BinaryField("文件内容", blank=True, default=b"")  # refused files only
    report = models.JSONField("校验结果", default=dict)  # rows, errors, warnings, columns
    declaration = models.ForeignKey(Declaration, null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "报盘文件上传（临时）"
        verbose_name_plural = "报盘文件上传（临时）"
        # serves: the purge of expired uploads
        indexes = [models.Index(fields=["created_at"], name="batch_upload_created")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind})"


class WageWindow(models.Model):
    """The yearly window of 缴费工资申报, set by agency staff [decision, DOMAIN.md]: wages
    declared from `opens_on` to `closes_on` (inclusive) are the bases of `policy_year`."""

    policy_year = models.IntegerField("缴费年度", unique=True)
    opens_on = models.DateField("申报开始日期")
    closes_on = models.DateField("申报截止日期")
    set_by = models.CharField("设置人", max_length=64)
    set_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "缴费工资申报期"
        verbose_name_plural = "缴费工资申报期"
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                   name="wage_window_order"),
        ]
        # serves: the window open on a given day
        indexes = [models.Index(fields=["opens_on", "closes_on"], name="wage_window_days")]

    def __str__(self) -> str:
        return f"{self.policy_year} 年度缴费工资申报期"


class Evidence(models.Model):
    """A supporting document of a declaration (补缴的证明材料): PDF or image, kept with it
    and shown to the reviewing staff."""

    declaration = models.ForeignKey(Declaration, on_delete=models.CASCADE,
                                    related_name="evidence")
    file_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    digest = models.CharField("文件摘要", max_length=64)
    data = models.BinaryField("文件内容")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "证明材料"
        verbose_name_plural = "证明材料"
        constraints = [
            models.UniqueConstraint(fields=["declaration", "digest"], name="evidence_once"),
        ]

    def __str__(self) -> str:
        return self.file_name
