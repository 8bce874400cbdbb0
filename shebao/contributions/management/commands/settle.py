"""`shebao settle YYYY-MM`: monthly settlement (核定) for every unit."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db.models import Sum

from shebao.contributions.issues import settlement_issues
from shebao.contributions.models import UnitMonth
from shebao.contributions.settlement import SettlementError, month_close, settlement_run
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month, PeriodError
from shebao.policy.selectors import PolicyMissing


class Command(ChineseCommand):
    help = "月度核定：计算全部单位某月的应缴费款（可重复执行；已关账月份只做补差）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="费款所属期 YYYY-MM")
        parser.add_argument("--bill-month", help="补差记入的核定月份，默认当前月份")
        parser.add_argument("--batch-size", default="2000", help="每批单位数")
        parser.add_argument("--close", action="store_true", help="核定后关账")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
            bill = Month.parse(options["bill_month"]) if options["bill_month"] else None
        except PeriodError as exc:
            raise UsageError(str(exc)) from exc
        if not options["batch_size"].isdigit() or int(options["batch_size"]) < 1:
            raise UsageError("每批单位数应为正整数")
        started = time.monotonic()
        quiet = options["verbosity"] == 0

        def progress(done: int, total: int) -> None:
            if not quiet:
                sys.stderr.write(f"\r核定 {month}：{done}/{total} 个单位")
                sys.stderr.flush()

        try:
            result = settlement_run(month, bill_month=bill,
                                    batch_size=int(options["batch_size"]), progress=progress)
        except (SettlementError, PolicyMissing) as exc:
            raise UsageError(str(exc)) from exc
        if not quiet:
            sys.stderr.write("\n")
        total = UnitMonth.objects.filter(month=int(month)).aggregate(t=Sum("total"))["t"] or 0
        self.stdout.write(
            f"{month} 核定完成：{result.units} 个单位，{result.rows} 条缴费明细，"
            f"补差 {result.difference_rows} 条，应缴合计 {format_fen_grouped(total)} 元，"
            f"按上年110%生成缴费工资 {result.defaults_created} 人，"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
        if result.missing_wage:
            self.stdout.write(f"注意：{result.missing_wage} 人缺少本缴费年度缴费工资，未核定")
        if result.missing_injury_rate:
            numbers = "、".join(i.unit.number for i in settlement_issues(month))
            self.stdout.write(f"注意：{result.missing_injury_rate} 个单位缺少工伤保险行业风险类别，"
                              f"其他险种已核定，工伤保险未核定（请补登类别后重新核定）：{numbers}")
        for refused in result.refused_units:
            self.stdout.write(f"注意：{refused}")
        if options["close"]:
            closed = month_close(month)
            self.stdout.write(f"{month} 已关账：{closed} 个单位")
