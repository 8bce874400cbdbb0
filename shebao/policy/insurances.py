"""The five insurances (险种), in the order every table and JSON output lists them."""

from __future__ import annotations

from django.db import models


class Insurance(models.TextChoices):
    PENSION = "pension", "养老保险"
    UNEMPLOYMENT = "unemployment", "失业保险"
    WORK_INJURY = "work_injury", "工伤保险"
    MATERNITY = "maternity", "生育保险"
    MEDICAL = "medical", "医疗保险"


ORDER: tuple[Insurance, ...] = (
    Insurance.PENSION,
    Insurance.UNEMPLOYMENT,
    Insurance.WORK_INJURY,
    Insurance.MATERNITY,
    Insurance.MEDICAL,
)

# National insurance codes (险种代码) as printed on Beijing's forms.
CODES: dict[str, str] = {
    Insurance.PENSION: "110",
    Insurance.UNEMPLOYMENT: "210",
    Insurance.WORK_INJURY: "410",
    Insurance.MATERNITY: "510",
    Insurance.MEDICAL: "310",
}

# The four-insurance system (四险) versus the medical system (医疗): separate source systems.
FOUR_INSURANCES: tuple[Insurance, ...] = ORDER[:4]

FULL_NAMES: dict[str, str] = {
    Insurance.PENSION: "企业职工基本养老保险",
    Insurance.UNEMPLOYMENT: "失业保险",
    Insurance.WORK_INJURY: "工伤保险",
    Insurance.MATERNITY: "生育保险",
    Insurance.MEDICAL: "城镇职工基本医疗保险",
}


def parse_insurances(text: str) -> tuple[Insurance, ...]:
    """'pension,medical' -> the insurances in canonical order; unknown names raise."""
    names = {part.strip() for part in text.split(",") if part.strip()}
    unknown = names - set(Insurance.values)
    if unknown:
        raise ValueError(f"unknown insurance(s): {', '.join(sorted(unknown))}")
    return tuple(i for i in ORDER if i.value in names)
