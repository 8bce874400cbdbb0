"""`shebao orphans`: find contribution rows and pension credits whose unit or person is
not in the registry (the tables have no database foreign keys; integrity.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from shebao.contributions.integrity import orphans_find
from shebao.lib.cli import ChineseCommand


class Command(ChineseCommand):
    help = "数据一致性检查：查找单位或人员已不存在的缴费明细和个人账户记账记录"

    def handle(self, *args: Any, **options: Any) -> None:
        found = orphans_find()
        if not found:
            self.stdout.write("未发现孤立记录：缴费明细与个人账户记账记录引用的单位和人员均存在")
            return
        for o in found:
            ids = "、".join(str(i) for i in o.missing_ids)
            self.stdout.write(f"{o.table}.{o.column}：{o.rows} 条记录引用的 {o.target} "
                              f"不存在（如 id {ids}）")
        raise CommandError(f"发现 {sum(o.rows for o in found)} 条孤立记录，请核查")
