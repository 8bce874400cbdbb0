"""`shebao calc`: the contribution calculator on the command line (JSON output)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from shebao.contributions.calculator import CalculationError, UnitTerms, contribution_calc
from shebao.contributions.serializers import calculation_json
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.money import MoneyError, parse_yuan
from shebao.lib.periods import Month, PeriodError
from shebao.policy.selectors import PolicyMissing, policy_at
from shebao.registry.choices import EnterpriseSize


class Command(ChineseCommand):
    help = "社保缴费计算器：按月份和月缴费工资计算各险种缴费基数和单位、个人缴费额"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="年月，YYYY-MM")
        parser.add_argument("--wage", required=True, help="月缴费工资（元）")
        parser.add_argument("--hukou", default="urban", choices=["urban", "rural"])
        parser.add_argument("--injury-class", default="1", help="工伤保险行业风险类别")
        parser.add_argument("--injury-float", default="100", help="工伤保险浮动费率（%%）")
        parser.add_argument("--size", default="small", choices=EnterpriseSize.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
            wage = parse_yuan(options["wage"])
        except (PeriodError, MoneyError) as exc:
            raise UsageError(str(exc)) from exc
        injury_class = _positive_int(options["injury_class"], "工伤保险行业风险类别")
        injury_float = _positive_int(options["injury_float"], "工伤保险浮动费率")
        try:
            calc = contribution_calc(
                policy_at(month), wage=wage, rural=options["hukou"] == "rural",
                unit=UnitTerms(injury_class, injury_float, options["size"]),
            )
        except (CalculationError, PolicyMissing) as exc:
            raise UsageError(str(exc)) from exc
        self.stdout.write(json.dumps(calculation_json(calc), ensure_ascii=False))


def _positive_int(text: str, label: str) -> int:
    value = text.strip()
    if not value.isdigit() or int(value) == 0:
        raise UsageError(f"{label}应为正整数，不能为“{text}”")
    return int(value)
