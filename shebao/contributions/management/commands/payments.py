"""`shebao payments import FILE`: apply a bank collection result file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from shebao.contributions.bankfile import bankfile_import
from shebao.lib.cli import ChineseCommand, UsageError


class Command(ChineseCommand):
    help = "实缴：导入银行托收结果文件（CSV：单位编号,费款所属期,金额,缴费日期）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise UsageError(f"文件不存在：{path}")
        result = bankfile_import(path.read_bytes(), filename=path.name)
        if not result.ok:
            for e in result.errors:
                where = f"第{e.row}行" if e.row else "文件"
                col = f"“{e.column}”" if e.column else ""
                value = f"（{e.value}）" if e.value else ""
                self.stderr.write(f"{where}{col}{value}：{e.message}")
            self.stderr.write(f"共 {len(result.errors)} 处错误，未导入任何数据")
            raise SystemExit(1)
        assert result.batch is not None
        self.stdout.write(result.summary)
        if options["verbosity"] > 1:
            self.stdout.write(json.dumps({"batch": result.batch.digest}))
