"""Forms of the contribution pages; every field gives a Chinese error at its place."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from shebao.lib.money import MoneyError, parse_yuan
from shebao.lib.periods import Month, PeriodError
from shebao.registry.choices import EnterpriseSize, Hukou


class CalculatorForm(forms.Form):
    month = forms.CharField(label="缴费年月", max_length=10,
                            help_text="格式 YYYY-MM，可查询 2004-04 至 2027-06")
    wage = forms.CharField(label="月缴费工资（元）", max_length=20)
    hukou = forms.ChoiceField(label="户口性质", choices=Hukou.choices, initial=Hukou.URBAN)
    injury_class = forms.TypedChoiceField(
        label="工伤保险行业风险类别", coerce=int, initial=1,
        choices=[(i, f"{i}类") for i in range(1, 9)],
        help_text="2015年10月以前为1–3类")
    injury_float = forms.TypedChoiceField(
        label="工伤保险浮动费率", coerce=int, initial=100,
        choices=[(p, f"{p}%") for p in (50, 80, 100, 120, 150)])
    size = forms.ChoiceField(label="企业规模", choices=EnterpriseSize.choices,
                             initial=EnterpriseSize.SMALL, help_text="2020年阶段性减免按规模适用")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["month"].initial = str(Month.of(timezone.localdate()))
        self.fields["month"].widget.attrs.update(placeholder="2025-03", inputmode="numeric")
        self.fields["wage"].widget.attrs.update(placeholder="12000.00", inputmode="decimal")

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_wage(self) -> int:
        try:
            wage = parse_yuan(self.cleaned_data["wage"])
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if wage < 0:
            raise forms.ValidationError("月缴费工资不能为负数")
        if wage > 100_000_000_00:
            raise forms.ValidationError("月缴费工资超出合理范围")
        return wage
