"""Pension personal accounts (养老保险个人账户): the historical parts and yearly records.

Accounts began in Beijing in 1992. The 1992–1995 account is an imported balance carried
into 1996; 1996–2004 annual records are imported; later years are computed by the
year-end close from monthly credits.
"""

from __future__ import annotations

from django.db import models

from shebao.registry.models import Person


class Account1992(models.Model):
    """1992年至1995年养老账户: imported balance per person."""

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, primary_key=True, related_name="account_1992",
    )
    personal_part = models.BigIntegerField("个人缴费部分(分)")
    unit_transferred_part = models.BigIntegerField("单位划转部分(分)")
    months = models.PositiveSmallIntegerField("缴费月数")

    class Meta:
        verbose_name = "1992—1995年养老账户"
        verbose_name_plural = "1992—1995年养老账户"

    @property
    def balance(self) -> int:
        return self.personal_part + self.unit_transferred_part


class AccountYear(models.Model):
    """One year of a person's pension account: the statement (对账单) row."""

    class Source(models.TextChoices):
        IMPORTED = "imported", "历史数据导入"
        CLOSED = "closed", "年终结息"

    # No index of its own: the unique (person, year) index serves every lookup by person
    # (a second one cost 245 MB and 1.6 s of the year-end close on the million-person city).
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="account_years",
                               db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    opening = models.BigIntegerField("上年结转余额(分)")
    months_paid = models.PositiveSmallIntegerField("本年缴费月数")
    average_base = models.BigIntegerField("本年平均缴费基数(分)")
    credits = models.BigIntegerField("本年记账额(分)")
    interest_opening = models.BigIntegerField("上年结转利息(分)")
    interest_credits = models.BigIntegerField("本年记账利息(分)")
    closing = models.BigIntegerField("年末余额(分)")
    cumulative_months = models.PositiveIntegerField("累计缴费月数")
    rate_ppm = models.IntegerField("记账利率(ppm)")
    source = models.CharField("来源", max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = "养老账户年度记录"
        verbose_name_plural = "养老账户年度记录"
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="account_year_once"),
        ]


class ClosedYear(models.Model):
    """A year whose accounts are final: closed by the year-end interest (结息), or
    imported history. Years close in order, each only after the previous one; a credit
    for a month of a closed year is booked in a later year as 补记 (decision 0011).
    Years before FIRST_COMPUTED_YEAR are imported and count as closed without a row."""

    class Source(models.TextChoices):
        IMPORTED = "imported", "历史数据导入"
        CLOSED = "closed", "年终结息"

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    accounts = models.IntegerField("账户数")
    closed_at = models.DateTimeField("结息时间")

    class Meta:
        verbose_name = "已结息年度"
        verbose_name_plural = "已结息年度"


class AccountCredit(models.Model):
    """A monthly credit to the personal account (记账), booked in account year `year`.

    Created when the month's contributions are paid: base × account share (11% to
    2005-12, 8% from 2006-01). `month` is the contribution month. A credit belongs to
    the year of its month when booked before that year is closed; booked after, it goes
    to the year paid (the first open year, if that is closed too) as 补记, keeping its
    month, so `year > month // 100` marks a 补记 (decision 0011). Append-only:
    corrections are reversing credits.
    """

    # Derived from paid contribution rows: no database foreign key (checked by
    # contributions.integrity instead), like the rows it comes from.
    person = models.ForeignKey(Person, on_delete=models.PROTECT, db_index=False,
                               db_constraint=False)
    unit_id = models.BigIntegerField("单位")  # shard key of the source bill; no FK needed
    year = models.PositiveSmallIntegerField("记账年度")
    month = models.IntegerField("费款所属期")
    base = models.BigIntegerField("缴费基数(分)")
    amount = models.BigIntegerField("记账额(分)")
    booked_at = models.DateTimeField("记账时间", auto_now_add=True)

    class Meta:
        verbose_name = "个人账户记账"
        verbose_name_plural = "个人账户记账"
        indexes = [
            # serves: statements (a person's credits, year by year)
            models.Index(fields=["person", "year"], name="credit_person_year"),
            # serves: the year-end close, which sums a year's credits per person from this
            # index alone, in person order (covering: no table reads; docs/BENCHMARKS.md)
            models.Index(fields=["year", "person", "month", "amount", "base"],
                         name="credit_year_person_sums"),
            # serves: idempotent booking of a unit's paid month
            models.Index(fields=["unit_id", "month"], name="credit_unit_month"),
        ]

    @property
    def backfilled(self) -> bool:
        """补记: booked in a year after that of its contribution month."""
        return self.year > self.month // 100
