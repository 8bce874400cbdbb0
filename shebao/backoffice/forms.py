"""Back-office forms; every field gives a Chinese error at its place."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from shebao.lib.dates import DateError, parse_date
from shebao.lib.money import MoneyError, parse_yuan
from shebao.lib.periods import Month, PeriodError
from shebao.registry.models import Unit

MAX_BANK_FILE_BYTES = 20 * 1024 * 1024


class PaymentForm(forms.Form):
    unit_number = forms.CharField(label="单位编号", max_length=10)
    amount = forms.CharField(label="缴费金额（元）", max_length=20)
    paid_date = forms.CharField(label="缴费日期", max_length=12, help_text="YYYY-MM-DD")
    month = forms.CharField(label="费款所属期", max_length=8, required=False,
                            help_text="可不填；款项总是先冲抵最早的未缴月份")
    reference = forms.CharField(label="凭证号", max_length=64, required=False)

    def clean_unit_number(self) -> Unit:
        number = self.cleaned_data["unit_number"].strip()
        unit = Unit.objects.filter(number=number).first()
        if unit is None:
            raise forms.ValidationError(f"单位编号 {number} 不存在")
        return unit

    def clean_amount(self) -> int:
        try:
            amount = parse_yuan(self.cleaned_data["amount"])
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if amount <= 0:
            raise forms.ValidationError("缴费金额必须大于零")
        return amount

    def clean_paid_date(self) -> dt.date:
        try:
            day = parse_date(self.cleaned_data["paid_date"])
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if day > timezone.localdate():
            raise forms.ValidationError("缴费日期不能晚于今天")
        return day

    def clean_month(self) -> Month | None:
        text = self.cleaned_data["month"].strip()
        if not text:
            return None
        try:
            return Month.parse(text)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc


class BankFileForm(forms.Form):
    file = forms.FileField(label="托收结果文件（CSV）",
                           help_text="列：单位编号、费款所属期、金额、缴费日期；UTF-8 或 GBK 编码")

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BANK_FILE_BYTES:
            raise forms.ValidationError("文件超过 20 MB 的上限")
        return upload


class AsOfForm(forms.Form):
    as_of = forms.CharField(label="计算至", max_length=12, required=False,
                            help_text="YYYY-MM-DD，默认今天")

    def clean_as_of(self) -> dt.date:
        text = self.cleaned_data["as_of"].strip()
        if not text:
            return timezone.localdate()
        try:
            return parse_date(text)
        except DateError as exc:
            raise forms.ValidationError(str(exc)) from exc
