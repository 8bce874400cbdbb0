"""Contributions: monthly settlement (核定), payments (实缴), allocation, pension credits.

Money is integer fen; months are YYYYMM integers. Every large table carries the key it
would be sharded by (unit for bills and payments, person for credits; contribution rows
carry both, hot paths filter by unit).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER, Insurance
from shebao.registry.models import Person, Unit

# The insurances of a contribution row's columns, in canonical order.
INSURANCES: tuple[str, ...] = tuple(ins.value for ins in ORDER)


class MonthStatus(models.TextChoices):
    OPEN = "open", "已核定（未关账）"
    CLOSED = "closed", "已关账"


class UnitMonth(models.Model):
    """A unit's bill (应缴) for one month: what settlement fixed, what was paid.

    total = employer + personal + late_fee: the contributions billed in this month and
    the late fees (LateFeeCharge) billed with them, all of which the unit must pay.
    Payments to a bill settle its contributions first and its billed late fee last, so
    a late fee never accrues on a billed late fee (see `arrears.bill_late_fee`).
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="months")
    month = models.IntegerField("费款所属期")
    status = models.CharField("状态", max_length=8, choices=MonthStatus.choices,
                              default=MonthStatus.OPEN)
    persons = models.IntegerField("缴费人数", default=0)
    employer = models.BigIntegerField("单位应缴(分)", default=0)
    personal = models.BigIntegerField("个人应缴(分)", default=0)
    late_fee = models.BigIntegerField("滞纳金(分)", default=0)
    total = models.BigIntegerField("应缴合计(分)", default=0)
    paid = models.BigIntegerField("已缴(分)", default=0)
    due_date = models.DateField("缴费截止日")
    settled_at = models.DateTimeField("核定时间")
    closed_at = models.DateTimeField("关账时间", null=True, blank=True)

    class Meta:
        verbose_name = "单位月度应缴"
        verbose_name_plural = "单位月度应缴"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="unit_month_once"),
            models.CheckConstraint(condition=Q(paid__gte=0), name="unit_month_paid_not_negative"),
            models.CheckConstraint(condition=Q(late_fee__gte=0),
                                   name="unit_month_late_fee_not_negative"),
        ]
        indexes = [
            # serves: arrears (unpaid bills past their due date) and closing a month
            models.Index(fields=["month", "status"], name="unit_month_month_status"),
        ]

    @property
    def outstanding(self) -> int:
        return self.total - self.paid

    @property
    def contributions_due(self) -> int:
        """The contributions of the bill (its total without the billed late fee)."""
        return self.total - self.late_fee


class ContributionKind(models.TextChoices):
    REGULAR = "regular", "正常核定"
    DIFFERENCE = "difference", "补差"
    BACKPAY = "backpay", "补缴"


def _amount(label: str) -> models.BigIntegerField:
    """One insurance's base or party amount of a contribution row: NULL where the person
    is not enrolled in that insurance (or, for a 补差, where it did not change)."""
    return models.BigIntegerField(label, null=True, blank=True)


def _same_nullness(insurance: str) -> Q:
    base, employer, personal = (f"{insurance}_{part}" for part in ("base", "employer",
                                                                   "personal"))
    return (Q(**{f"{base}__isnull": True, f"{employer}__isnull": True,
                 f"{personal}__isnull": True})
            | Q(**{f"{base}__isnull": False, f"{employer}__isnull": False,
                   f"{personal}__isnull": False}))


class Contribution(models.Model):
    """One person's contributions at one unit for one month, billed in bill_month: a
    base, employer and personal amount per insurance (NULL where not enrolled), so a
    person-month is one row and one index entry (decision 0012).

    Regular rows are billed in their own month. Corrections of a closed month are new
    rows (kind difference, the signed change of each insurance that changed) billed in
    an open month; back-payments are rows of kind backpay. History is never edited.

    Derived from enrolments and wage bases, which keep their foreign keys: the rows
    carry unit and person without database constraints (a check at commit per row was
    half of a PostgreSQL settlement); `integrity.orphans_find` checks them instead.
    The primary key is the natural key and holds bill_month, the column the table is
    to be partitioned by.
    """

    pk = models.CompositePrimaryKey("unit", "bill_month", "kind", "person", "month")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_index=False,
                             db_constraint=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, db_index=False,
                               db_constraint=False)
    month = models.IntegerField("费款所属期")
    bill_month = models.IntegerField("核定月份")
    kind = models.CharField("类型", max_length=12, choices=ContributionKind.choices,
                            default=ContributionKind.REGULAR)
    pension_base = _amount("养老保险缴费基数(分)")
    pension_employer = _amount("养老保险单位缴费(分)")
    pension_personal = _amount("养老保险个人缴费(分)")
    unemployment_base = _amount("失业保险缴费基数(分)")
    unemployment_employer = _amount("失业保险单位缴费(分)")
    unemployment_personal = _amount("失业保险个人缴费(分)")
    work_injury_base = _amount("工伤保险缴费基数(分)")
    work_injury_employer = _amount("工伤保险单位缴费(分)")
    work_injury_personal = _amount("工伤保险个人缴费(分)")
    maternity_base = _amount("生育保险缴费基数(分)")
    maternity_employer = _amount("生育保险单位缴费(分)")
    maternity_personal = _amount("生育保险个人缴费(分)")
    medical_base = _amount("医疗保险缴费基数(分)")
    medical_employer = _amount("医疗保险单位缴费(分)")
    medical_personal = _amount("医疗保险个人缴费(分)")

    class Meta:
        verbose_name = "缴费明细"
        verbose_name_plural = "缴费明细"
        constraints = [
            # a month is back-paid once per unit and person, whatever races
            # (decision 0010); small: only 补缴 rows are indexed
            models.UniqueConstraint(fields=["unit", "person", "month"],
                                    condition=Q(kind="backpay"), name="backpay_month_once"),
            # an insurance's base and amounts are there together or not at all
            models.CheckConstraint(
                condition=(_same_nullness("pension") & _same_nullness("unemployment")
                           & _same_nullness("work_injury") & _same_nullness("maternity")
                           & _same_nullness("medical")),
                name="contribution_insurance_whole"),
        ]
        indexes = [
            # The primary key (unit, bill_month, kind, …) serves a unit's bill and
            # transcript by month, bills_refresh and the deletes of re-settlement.
            # serves: a person's monthly contributions (当年各月缴费情况); months billed
            models.Index(fields=["person", "month"], name="contrib_person_month"),
        ]

    def lines(self) -> list[tuple[str, int, int, int]]:
        """The row read long, as people read it: (insurance, base, employer, personal)
        for each insurance it holds, in canonical order."""
        out = []
        for ins in INSURANCES:
            base = getattr(self, f"{ins}_base")
            if base is not None:
                out.append((ins, base, getattr(self, f"{ins}_employer"),
                            getattr(self, f"{ins}_personal")))
        return out

    @property
    def employer(self) -> int:
        return sum(line[2] for line in self.lines())

    @property
    def personal(self) -> int:
        return sum(line[3] for line in self.lines())


# LateFeeCharge.reason of the late fee of a bill whose contributions were paid after
# its due date; `ref` is that bill's month (YYYYMM), charged once (payments.py).
ARREARS_LATE_FEE = "欠费滞纳金"


class LateFeeCharge(models.Model):
    """A late fee (滞纳金) billed to a unit in an open bill month: that of an approved
    back-payment (补缴, `ref` its receipt number), or that of a bill paid after its due
    date (欠费滞纳金, `ref` the bill's month).

    Settlement adds a unit's charges of a bill month to that bill (UnitMonth.late_fee,
    and so its total); a closed bill never takes new charges. Borne by the unit, never
    by the employee. Charges are never edited or deleted: history is kept.
    """

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_index=False,
                             related_name="late_fee_charges")
    bill_month = models.IntegerField("核定月份")
    amount = models.BigIntegerField("金额(分)")
    reason = models.CharField("事由", max_length=32)
    ref = models.CharField("业务单号", max_length=32)
    created_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "滞纳金核定"
        verbose_name_plural = "滞纳金核定"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="late_fee_charge_positive"),
            # a late bill's fee is charged once, whatever retries or races
            models.UniqueConstraint(fields=["unit", "ref"],
                                    condition=Q(reason=ARREARS_LATE_FEE),
                                    name="latefee_arrears_once"),
        ]
        indexes = [
            # serves: the sum of a unit's charges of a bill month (bills_refresh)
            models.Index(fields=["unit", "bill_month"], name="latefee_unit_bill"),
        ]


class Payment(models.Model):
    """Money received for a unit (托收 result or counter payment)."""

    class Source(models.TextChoices):
        BANK = "bank", "银行托收"
        COUNTER = "counter", "柜台缴款"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="payments")
    amount = models.BigIntegerField("金额(分)")
    paid_date = models.DateField("缴费日期")
    month = models.IntegerField("托收所属期", null=True, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    reference = models.CharField("凭证号", max_length=64, blank=True)
    batch = models.ForeignKey("PaymentBatch", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="payments")
    unallocated = models.BigIntegerField("未分配(分)", default=0)
    recorded_at = models.DateTimeField("入账时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴费记录"
        verbose_name_plural = "缴费记录"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]
        indexes = [
            models.Index(fields=["unit", "paid_date"], name="payment_unit_date"),
            # serves: the money to apply when a settlement run finishes (a few rows)
            models.Index(fields=["unit"], condition=Q(unallocated__gt=0),
                         name="payment_unallocated"),
        ]


class PaymentBatch(models.Model):
    """One imported bank collection result file; its digest makes re-imports no-ops."""

    digest = models.CharField("文件摘要", max_length=64, unique=True)
    filename = models.CharField("文件名", max_length=200)
    rows = models.IntegerField("行数")
    total = models.BigIntegerField("金额合计(分)")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)
    imported_by = models.CharField("导入人", max_length=64)


class Allocation(models.Model):
    """Part of a payment applied to one bill (oldest open month first)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    unit_month = models.ForeignKey(UnitMonth, on_delete=models.PROTECT,
                                   related_name="allocations")
    amount = models.BigIntegerField("金额(分)")
    paid_date = models.DateField("缴费日期")

    class Meta:
        verbose_name = "缴费分配"
        verbose_name_plural = "缴费分配"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]


class RateTerm(models.Model):
    """The exact multipliers a settlement used, per month and rate combination.

    Written by settlement from `calculator.rate_terms`, so the set-based SQL computes
    with exactly the calculator's parameters; kept as a record of what was applied.
    Amounts are round(base × num / 10¹²) (+ fixed).
    """

    month = models.IntegerField("费款所属期")
    insurance = models.CharField("险种", max_length=16, choices=Insurance.choices)
    rural = models.SmallIntegerField("农村户口")
    injury_class = models.SmallIntegerField("工伤行业类别")
    floating_pct = models.SmallIntegerField("工伤浮动费率(%)")
    size = models.CharField("企业规模", max_length=8)
    lower = models.BigIntegerField("基数下限(分)")
    upper = models.BigIntegerField("基数上限(分)")
    employer_num = models.BigIntegerField("单位费率系数")
    personal_num = models.BigIntegerField("个人费率系数")
    personal_fixed = models.BigIntegerField("个人定额(分)")

    class Meta:
        verbose_name = "核定费率参数"
        verbose_name_plural = "核定费率参数"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "insurance", "rural", "injury_class", "floating_pct", "size"],
                name="rate_term_once",
            ),
        ]


def _term() -> models.BigIntegerField:
    return models.BigIntegerField(null=True)


class UnitTerm(models.Model):
    """Scratch table of a settlement run: each unit's multipliers for one month, one
    row a unit with the five insurances side by side (the personal one for urban and
    rural hukou too; NULL where the unit has no term, e.g. work injury without a class),
    joined from its work-injury class, size and RateTerm, and whether its month is
    closed, decided here once per unit. The big INSERT … SELECT then finds a person's
    rates with one probe and scans each unit's enrolments once."""

    month = models.IntegerField()
    unit_id = models.BigIntegerField()
    closed = models.BooleanField(default=False)
    pension_lower = _term()
    pension_upper = _term()
    pension_employer_num = _term()
    pension_personal_num = _term()
    pension_personal_num_rural = _term()
    pension_personal_fixed = _term()
    unemployment_lower = _term()
    unemployment_upper = _term()
    unemployment_employer_num = _term()
    unemployment_personal_num = _term()
    unemployment_personal_num_rural = _term()
    unemployment_personal_fixed = _term()
    work_injury_lower = _term()
    work_injury_upper = _term()
    work_injury_employer_num = _term()
    work_injury_personal_num = _term()
    work_injury_personal_num_rural = _term()
    work_injury_personal_fixed = _term()
    maternity_lower = _term()
    maternity_upper = _term()
    maternity_employer_num = _term()
    maternity_personal_num = _term()
    maternity_personal_num_rural = _term()
    maternity_personal_fixed = _term()
    medical_lower = _term()
    medical_upper = _term()
    medical_employer_num = _term()
    medical_personal_num = _term()
    medical_personal_num_rural = _term()
    medical_personal_fixed = _term()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "unit_id"], name="unit_term_once"),
        ]


class SettlementIssue(models.Model):
    """A unit's month that settlement could not bill in full, for staff to put right.

    Found again by every settlement run of the month (so it disappears once the registry
    is corrected and the month re-settled); it is not part of the bill, which a closed
    month keeps unchanged.
    """

    class Code(models.TextChoices):
        INJURY_CLASS_MISSING = ("injury_class_missing",
                                "缺少工伤保险行业风险类别，工伤保险未核定")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, db_index=False,
                             related_name="settlement_issues")
    month = models.IntegerField("费款所属期")
    code = models.CharField("问题", max_length=32, choices=Code.choices)
    found_at = models.DateTimeField("发现时间")

    class Meta:
        verbose_name = "核定问题"
        verbose_name_plural = "核定问题"
        constraints = [
            models.UniqueConstraint(fields=["unit", "month", "code"],
                                    name="settlement_issue_once"),
        ]
        indexes = [
            # serves: a month's issues, replaced by each settlement run; the staff list
            models.Index(fields=["month", "unit"], name="settlement_issue_month"),
        ]

    @property
    def month_label(self) -> str:
        return Month.from_int(self.month).label


class SettlementRun(models.Model):
    """One monthly settlement run (核定): its month, the bill month of its differences,
    how far it got and whether it finished (decision record settlement-runs).

    A run commits batch by batch; until it has finished, the open bills of its month and
    of its bill month are not final: they count for no payment, no arrears and no close
    (`runs.bill_provisional`). A run killed half-way is continued by the next run of
    its month, which settles every unit again; at most one run per month is unfinished.
    """

    month = models.IntegerField("费款所属期")
    bill_month = models.IntegerField("补差核定月份")
    units_total = models.IntegerField("单位数", default=0)
    units_done = models.IntegerField("已核定单位数", default=0)
    attempts = models.IntegerField("执行次数", default=1)
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "月度核定批次"
        verbose_name_plural = "月度核定批次"
        constraints = [
            # serves: the unfinished runs (a few rows), read by every bill query
            models.UniqueConstraint(fields=["month"], condition=Q(finished_at__isnull=True),
                                    name="settlement_run_one_unfinished"),
        ]

    @property
    def notice(self) -> str:
        """What staff read about an unfinished run (Chinese, Beijing time)."""
        month, bill = Month.from_int(self.month), Month.from_int(self.bill_month)
        started = timezone.localtime(self.started_at)
        which = "月度核定" if bill == month else f"补差核定（补差记入{bill.label}）"
        command = f"shebao settle {month}" + ("" if bill == month else f" --bill-month {bill}")
        return (f"{month.label}{which}未完成：已核定 {self.units_done}/{self.units_total} 个单位，"
                f"{started:%Y-%m-%d %H:%M} 开始。相关月份的应缴尚未最终确定，暂不用于缴费冲抵、"
                f"欠费统计和关账；请重新执行核定（{command}）")
