"""`shebao audit verify`: check the hash chain of the audit log and its newest anchor.
`shebao audit anchor`: append an anchor of the newest event to the anchor file (outside
the database; see shebao/audit/anchors.py)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shebao.audit.anchors import AnchorFileError, anchor_write, anchors_read, anchors_verify
from shebao.audit.services import chain_verify


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链和锚点；anchor 记录当前最新事件的锚点"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "anchor":
                self._anchor()
            else:
                self._verify()
        except AnchorFileError as exc:
            self.stderr.write(str(exc))
            sys.exit(1)

    def _anchor(self) -> None:
        anchor = anchor_write()
        if anchor is None:
            self.stdout.write("审计日志为空，未记录锚点")
        else:
            self.stdout.write(f"已记录锚点：第 {anchor.seq} 号事件 {anchor.hash[:16]}…")

    def _verify(self) -> None:
        broken = chain_verify()
        if isinstance(broken, int):
            self.stderr.write(f"审计日志哈希链断裂：第 {broken} 号事件缺失（已被删除）")
            sys.exit(1)
        if broken is not None:
            self.stderr.write(
                f"审计日志哈希链断裂：第 {broken.seq} 号事件被修改（{broken.action}）")
            sys.exit(1)
        anchors = anchors_read()
        moved = anchors_verify(anchors)
        if moved is not None:
            self.stderr.write(moved.message())
            sys.exit(1)
        if anchors:
            self.stdout.write(f"审计日志哈希链完整，与最新锚点（第 {anchors[-1].seq} 号事件）一致")
        else:
            self.stdout.write("审计日志哈希链完整（尚无锚点，无法发现最新事件被删除）")
