"""shebao purge-drafts: drop declaration drafts nobody submitted within DRAFT_TTL.

Run daily (cron or a systemd timer, docs/DEPLOYMENT.md). Submitted declarations are never
touched; each run that deletes anything leaves one audit event.
"""

from __future__ import annotations

from typing import Any

from shebao.audit.services import SYSTEM
from shebao.declarations.services import DRAFT_TTL, drafts_purge
from shebao.lib.cli import ChineseCommand


class Command(ChineseCommand):
    help = f"清理超过 {DRAFT_TTL.days} 天未提交的申报草稿（含明细和证明材料）"

    def handle(self, *args: Any, **options: Any) -> None:
        count = drafts_purge(actor=SYSTEM)
        self.stdout.write(f"已清理 {count} 份超过 {DRAFT_TTL.days} 天未提交的申报草稿")
