"""`shebao audit verify`: check the hash chain of the audit log."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shebao.audit.services import chain_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        broken = chain_verify()
        if broken is None:
            self.stdout.write("审计日志哈希链完整")
            return
        if isinstance(broken, int):
            self.stderr.write(f"审计日志哈希链断裂：第 {broken} 号事件缺失（已被删除）")
        else:
            self.stderr.write(
                f"审计日志哈希链断裂：第 {broken.seq} 号事件被修改（{broken.action}）")
        sys.exit(1)
