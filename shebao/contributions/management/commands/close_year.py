"""`shebao close-year YYYY`: year-end interest of every pension personal account."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from shebao.lib.cli import ChineseCommand, UsageError
from shebao.pension.services import CloseYearError, account_close_year
from shebao.policy.selectors import PolicyMissing


class Command(ChineseCommand):
    help = "养老保险个人账户年终结息（可重复执行，已结息的账户不变）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="年度 YYYY")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["year"].strip()
        if not (text.isdigit() and len(text) == 4):
            raise UsageError(f"“{options['year']}”不是有效年度，应写作 YYYY")
        started = time.monotonic()
        try:
            closed = account_close_year(int(text))
        except (CloseYearError, PolicyMissing) as exc:
            raise UsageError(str(exc)) from exc
        self.stdout.write(f"{text}年结息完成：本次结息 {closed} 个账户，"
                          f"用时 {time.monotonic() - started:.1f} 秒")
