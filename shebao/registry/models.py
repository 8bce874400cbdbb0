"""The registry: units (参保单位), persons (参保人), enrolments (参保关系), wage bases.

Months are integers YYYYMM (see lib.periods); money is integer fen (lib.money).
Large tables carry the key they would be sharded by (person or unit).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q

from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER, Insurance

from .choices import (
    District,
    EndReason,
    EnrolmentMode,
    EnterpriseSize,
    Hukou,
    OnlineStatus,
    SettlementCycle,
    Sex,
    StartReason,
    UnitType,
    WageSource,
)


def new_ref() -> str:
    """A random public reference for URLs: sequential ids never leave the database."""
    return secrets.token_hex(8)


ALL_INSURANCES = ",".join(i.value for i in ORDER)


class Unit(models.Model):
    number = models.CharField("单位编号", max_length=10, unique=True)
    name = models.CharField("单位名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, null=True, blank=True)
    org_code = models.CharField("组织机构代码", max_length=9, db_index=True)
    registration_no = models.CharField("社会保险登记证号", max_length=20, unique=True)
    district = models.CharField("缴费地区", max_length=6, choices=District.choices)
    unit_type = models.CharField("单位类型", max_length=24, choices=UnitType.choices)
    size = models.CharField("企业规模", max_length=8, choices=EnterpriseSize.choices)
    settlement_cycle = models.CharField(
        "结算周期", max_length=10, choices=SettlementCycle.choices,
        default=SettlementCycle.MONTHLY,
    )
    enrolment_mode = models.CharField(
        "参保方式", max_length=12, choices=EnrolmentMode.choices,
        default=EnrolmentMode.INDEPENDENT,
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="branches",
    )
    insurances = models.CharField(
        "参加险种", max_length=64, default=ALL_INSURANCES,
        help_text="逗号分隔的险种代码",
    )
    has_violation = models.BooleanField("存在违规记录", default=False)
    online_status = models.CharField(
        "网上申报状态", max_length=10, choices=OnlineStatus.choices, default=OnlineStatus.CLOSED,
    )
    online_opened_at = models.DateTimeField("网上申报开通时间", null=True, blank=True)
    address = models.CharField("单位地址", max_length=200, blank=True)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    bank_name = models.CharField("开户银行", max_length=100, blank=True)
    bank_account = models.CharField("托收账号", max_length=32, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保单位"
        verbose_name_plural = "参保单位"
        constraints = [
            models.CheckConstraint(
                condition=Q(enrolment_mode="independent", parent__isnull=True)
                | Q(enrolment_mode="secondary", parent__isnull=False),
                name="unit_secondary_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def insurance_set(self) -> frozenset[str]:
        return frozenset(p for p in self.insurances.split(",") if p)

    @property
    def printed_org_code(self) -> str:
        return f"{self.org_code[:8]}-{self.org_code[8:]}" if self.org_code else ""


class UnitInjuryRate(models.Model):
    """A unit's work-injury industry class and floating factor over a period.

    The class refers to the scheme of its months: 1–3 before 2015-10, 1–8 from then.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="injury_rates")
    first_month = models.IntegerField("起始年月")
    last_month = models.IntegerField("终止年月", null=True, blank=True)
    injury_class = models.PositiveSmallIntegerField("行业风险类别")
    floating_pct = models.PositiveSmallIntegerField("浮动费率(%)", default=100)

    class Meta:
        verbose_name = "工伤保险费率"
        verbose_name_plural = "工伤保险费率"
        constraints = [
            models.CheckConstraint(
                condition=Q(injury_class__gte=1, injury_class__lte=8),
                name="injury_class_1_to_8",
            ),
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="injury_rate_period_ordered",
            ),
        ]
        # serves: the rate of a unit in a month (settlement, calculator)
        indexes = [models.Index(fields=["unit", "first_month"], name="injury_unit_month")]

    def covers(self, month: Month) -> bool:
        m = int(month)
        return self.first_month <= m and (self.last_month is None or m <= self.last_month)


class MedicalUnitInfo(models.Model):
    """The medical insurance system's own copy of a unit's basic information.

    The four-insurance and medical systems are separate sources; online declaration
    needs the four fields below to agree between them (DOMAIN.md eligibility rule 3).
    """

    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, primary_key=True, related_name="medical_info",
    )
    registration_no = models.CharField("社会保险登记证号", max_length=20)
    district = models.CharField("缴费地区", max_length=6, choices=District.choices)
    unit_type = models.CharField("单位类型", max_length=24, choices=UnitType.choices)
    org_code = models.CharField("组织机构代码", max_length=9)
    synced_at = models.DateTimeField("同步时间", auto_now=True)

    class Meta:
        verbose_name = "医疗系统单位信息"
        verbose_name_plural = "医疗系统单位信息"

    COMPARED_FIELDS = ("registration_no", "district", "unit_type", "org_code")

    def mismatches(self) -> list[str]:
        """The compared fields whose values differ from the four-insurance record."""
        return [f for f in self.COMPARED_FIELDS if getattr(self, f) != getattr(self.unit, f)]


class Person(models.Model):
    ref = models.CharField("参考号", max_length=16, unique=True, default=new_ref, editable=False)
    id_number = models.CharField("公民身份号码", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    hukou = models.CharField("户口性质", max_length=8, choices=Hukou.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("居住地址", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "参保人"
        verbose_name_plural = "参保人"

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"


class Enrolment(models.Model):
    """参保关系: a person enrolled in one insurance through one unit, from–to a month."""

    # No single-column indexes: enrol_unit_person and enrol_person_ins lead with them.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments",
                               db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="enrolments",
                             db_index=False)
    insurance = models.CharField("险种", max_length=16, choices=Insurance.choices)
    first_month = models.IntegerField("参保起始年月")
    last_month = models.IntegerField("参保终止年月", null=True, blank=True)
    start_reason = models.CharField("增员原因", max_length=16, choices=StartReason.choices)
    end_reason = models.CharField("减员原因", max_length=24, choices=EndReason.choices,
                                  blank=True)

    class Meta:
        verbose_name = "参保关系"
        verbose_name_plural = "参保关系"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__isnull=True) | Q(last_month__gte=F("first_month")),
                name="enrolment_period_ordered",
            ),
            # At most one open enrolment per person and insurance: one unit at a time.
            models.UniqueConstraint(
                fields=["person", "insurance"], condition=Q(last_month__isnull=True),
                name="enrolment_one_open_per_insurance",
            ),
        ]
        indexes = [
            # serves: settlement, which reads a unit's enrolments of a month from this
            # index alone, in (unit, person) order, one group a person (covering); a
            # unit's employee list; a unit's work-injury enrolment (issues)
            models.Index(fields=["unit", "person", "insurance", "first_month", "last_month"],
                         name="enrol_unit_person"),
            # serves: a person's history; "enrolled elsewhere" checks
            models.Index(fields=["person", "insurance", "first_month"], name="enrol_person_ins"),
        ]

    def covers(self, month: Month) -> bool:
        m = int(month)
        return self.first_month <= m and (self.last_month is None or m <= self.last_month)


class WageBase(models.Model):
    """缴费工资: a person's declared monthly wage at a unit for a policy year, in fen.

    The base per insurance is this wage clamped to each month's limits (policy).
    """

    # No single-column indexes: wage_one_per_person_unit_year and wage_unit_year_person lead
    # with them.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="wage_bases",
                               db_index=False)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="wage_bases",
                             db_index=False)
    policy_year = models.PositiveSmallIntegerField("缴费年度")
    wage = models.BigIntegerField("月缴费工资(分)")
    source = models.CharField("来源", max_length=16, choices=WageSource.choices)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴费工资"
        verbose_name_plural = "缴费工资"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "policy_year"], name="wage_one_per_person_unit_year",
            ),
            models.CheckConstraint(condition=Q(wage__gte=0), name="wage_not_negative"),
        ]
        indexes = [
            # serves: settlement's probe of a person's wage at a unit for the policy year
            # from the index alone (covering); the unit's 本单位员工缴费基数 query
            models.Index(fields=["unit", "policy_year", "person", "wage"],
                         name="wage_unit_year_person"),
        ]
