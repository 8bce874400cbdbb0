"""`shebao arrears`: units' arrears and late fees to a date."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from shebao.contributions.arrears import arrears_for_unit, pending_late_fee, units_in_arrears
from shebao.contributions.runs import runs_unfinished
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.dates import DateError, parse_date
from shebao.lib.money import format_fen_grouped
from shebao.registry.models import Unit


class Command(ChineseCommand):
    help = "欠费查询：列出欠费单位及各月欠费、滞纳金（计算至指定日期）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="单位编号；缺省列出全部欠费单位")
        parser.add_argument("--as-of", help="计算至日期 YYYY-MM-DD，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = parse_date(options["as_of"]) if options["as_of"] else timezone.localdate()
        except DateError as exc:
            raise UsageError(str(exc)) from exc
        if options["unit"]:
            units = list(Unit.objects.filter(number=options["unit"].strip()))
            if not units:
                raise UsageError(f"单位编号 {options['unit']} 不存在")
        else:
            units = list(Unit.objects.filter(id__in=units_in_arrears(as_of)).order_by("number"))
        for run in runs_unfinished():
            self.stdout.write(f"注意：{run.notice}")
        for unit in units:
            lines = arrears_for_unit(unit.id, as_of)
            if not lines:
                self.stdout.write(f"{unit.number} {unit.name}：无欠费")
                continue
            owed = sum(x.outstanding for x in lines)
            fee = pending_late_fee(lines)
            self.stdout.write(f"{unit.number} {unit.name}：欠费 {format_fen_grouped(owed)} 元，"
                              f"滞纳金 {format_fen_grouped(fee)} 元（计至 {as_of}）")
            for x in lines:
                billed = (f"（含已核定滞纳金 {format_fen_grouped(x.billed_late_fee)}）"
                          if x.billed_late_fee else "")
                charged = f"（已计入 {x.charged_in.label}应缴）" if x.charged_in else ""
                self.stdout.write(
                    f"  {x.month} 应缴 {format_fen_grouped(x.total)}{billed} 已缴 "
                    f"{format_fen_grouped(x.paid)} 欠缴 {format_fen_grouped(x.outstanding)} "
                    f"逾期 {x.days_overdue} 天 滞纳金 {format_fen_grouped(x.late_fee)}{charged}")
        if not units:
            self.stdout.write(f"截至 {as_of} 没有欠费单位")
