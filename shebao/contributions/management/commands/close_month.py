"""`shebao close-month YYYY-MM`: close a settled month (no later change). Refused, exit
status 2, while the month was never settled or its settlement run has not finished."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from shebao.contributions.settlement import SettlementError, month_close
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.periods import Month, PeriodError


class Command(ChineseCommand):
    help = "关账：已核定月份关账后不再变更，更正以补差方式记入以后月份"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", help="费款所属期 YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = Month.parse(options["month"])
        except PeriodError as exc:
            raise UsageError(str(exc)) from exc
        try:
            closed = month_close(month)
        except SettlementError as exc:
            raise UsageError(str(exc)) from exc
        self.stdout.write(f"{month} 已关账：{closed} 个单位")
