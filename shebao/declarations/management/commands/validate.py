"""`shebao validate FILE --kind add|remove|wage|backpay [--unit N] [--as-of YYYY-MM-DD]`.

Prints {"ok", "kind", "rows", "errors": [{"row", "column", "value", "code", "message"}]}
as JSON and exits 0 when the file is valid, 1 when it has errors, 2 when it cannot be
read at all (the JSON then carries the file-level error). Bad arguments: one Chinese
line on stderr, exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from shebao.declarations.batchfiles import KINDS, ValidationResult, batchfile_validate
from shebao.declarations.batchfiles.errors import file_error
from shebao.declarations.batchfiles.readers import MAX_BYTES
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.dates import DateError, parse_date
from shebao.registry.models import Unit


class Command(ChineseCommand):
    help = "校验报盘文件（增员、减员、缴费工资、补缴）：列出全部错误，不写入任何数据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="报盘文件（.xlsx 或 CSV）")
        parser.add_argument("--kind", required=True, choices=list(KINDS),
                            help="add 增员、remove 减员、wage 缴费工资、backpay 补缴")
        parser.add_argument("--unit", help="单位编号：同时按社保登记信息校验")
        parser.add_argument("--as-of", help="申报日期 YYYY-MM-DD，默认今天")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _as_of(options["as_of"])
        unit = _unit(options["unit"])
        kind = options["kind"]
        data, refusal = _read(Path(options["file"]))
        if refusal is not None:
            result = ValidationResult(kind=kind, digest="", readable=False, errors=[refusal])
        else:
            result = batchfile_validate(data, options["file"], kind=kind, unit=unit,
                                        as_of=as_of)
        self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        if not result.readable:
            raise SystemExit(2)
        if not result.ok:
            raise SystemExit(1)


def _as_of(text: str | None) -> dt.date:
    if not text:
        return timezone.localdate()
    try:
        return parse_date(text)
    except DateError as exc:
        raise UsageError(f"参数 --as-of：{exc}") from exc


def _unit(number: str | None) -> Unit | None:
    if number is None:
        return None
    unit = Unit.objects.filter(number=number.strip()).first()
    if unit is None:
        raise UsageError(f"单位编号 {number} 不存在")
    return unit


def _read(path: Path) -> tuple[bytes, Any]:
    """The file's bytes (at most one byte past the limit), or a file-level error."""
    if not path.is_file():
        return b"", file_error("file_not_found", f"文件 {path} 不存在")
    try:
        with path.open("rb") as fh:
            return fh.read(MAX_BYTES + 1), None
    except OSError as exc:
        return b"", file_error("file_unreadable", f"文件 {path} 无法打开：{exc.strerror}")
