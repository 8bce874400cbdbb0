"""`shebao report KIND --unit UNIT_NUMBER …`: a unit query as JSON, CSV, .xlsx or PDF,
from the same selectors and renderers as the pages and the API.

KIND is a query of the catalogue (`reports.queries.QUERIES`); the kinds of issue 12 that
are not built yet are named, and refused with a Chinese message (exit 2) like any
unknown kind, unit or month. --from/--to are months (YYYYMM): for `bases` they choose
the policy year (both within one); for `people`, --to is the month whose status
(在职/已减员) is shown; `account1992` takes no months.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandParser

from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.periods import Month, PeriodError
from shebao.registry.models import Unit
from shebao.reports.filters import FilterError, Filters, filters_read, year_of
from shebao.reports.output import json_document, pdf_bytes, write_csv, write_xlsx
from shebao.reports.queries import QUERIES
from shebao.reports.tables import Listing, Query

FORMATS = ("json", "csv", "xlsx", "pdf")
# Queries of issue 12 still to come: named so that asking for one says so.
PLANNED = {"transcript": "缴费情况过录表", "arrears": "欠费信息",
           "statement": "养老保险历年对账单", "months": "当年各月缴费", "proof": "单位参保证明"}


def _month(text: str | None, option: str) -> Month | None:
    if not text:
        return None
    try:
        return Month.parse(text)
    except PeriodError as exc:
        raise UsageError(f"{option}：{exc}") from exc


def _filters(query: Query, first: Month | None, last: Month | None,
             person: str) -> Filters:
    data: dict[str, str] = {"person": person} if person else {}
    if first and last and first > last:
        raise UsageError(f"--from {first} 晚于 --to {last}")
    today = None
    if query.kind == "bases":
        if first or last:
            year = year_of(first or last)  # type: ignore[arg-type]
            if last and year_of(last) != year:
                raise UsageError("员工缴费基数按缴费年度查询：--from 与 --to 须在同一缴费年度内")
            data["year"] = str(year)
    elif query.kind == "people":
        if first:
            raise UsageError("员工基本信息不按起始年月查询：请只用 --to 指定查看哪个月的人员状态")
        today = last.last_day() if last else None
    elif first or last:
        raise UsageError(f"{query.title}不按年月查询，请去掉 --from/--to")
    return filters_read(query.filters, data, today)


class Command(ChineseCommand):
    help = ("单位查询报表：员工基本信息、员工缴费基数、1992年至1995年养老账户，"
            "输出 JSON、CSV、Excel 或 PDF")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="查询：" + "、".join(
            [*(f"{k}（{q.title}）" for k, q in QUERIES.items()),
             *(f"{k}（{t}，尚未开放）" for k, t in PLANNED.items())]))
        parser.add_argument("--unit", required=True, help="单位编号")
        parser.add_argument("--from", dest="first", help="起始年月 YYYYMM")
        parser.add_argument("--to", dest="last", help="终止年月 YYYYMM")
        parser.add_argument("--person", default="", help="公民身份号码或姓名")
        parser.add_argument("--format", required=True, choices=FORMATS, help="输出格式")
        parser.add_argument("--out", help="输出文件；缺省写到标准输出")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        query = QUERIES.get(kind)
        if query is None:
            if kind in PLANNED:
                raise UsageError(f"查询“{kind}”（{PLANNED[kind]}）尚未开放")
            raise UsageError(f"查询类型“{kind}”无效，可选：{'、'.join(QUERIES)}")
        unit = Unit.objects.filter(number=options["unit"].strip()).first()
        if unit is None:
            raise UsageError(f"单位编号 {options['unit']} 不存在")
        try:
            filters = _filters(query, _month(options["first"], "--from"),
                               _month(options["last"], "--to"), options["person"].strip())
        except FilterError as exc:
            raise UsageError(str(exc)) from exc
        listing = query.select(unit, filters)
        out = Path(options["out"]) if options["out"] else None
        fmt = options["format"]
        if fmt in ("json", "csv") and out is None:
            text = io.StringIO()
            self._write_text(fmt, query, unit, filters, listing, text)
            self.stdout.write(text.getvalue(), ending="")
        elif fmt in ("json", "csv"):
            assert out is not None
            with out.open("w", encoding="utf-8", newline="") as handle:
                self._write_text(fmt, query, unit, filters, listing, handle)
        elif out is None:
            self._write_binary(fmt, query, unit, filters, listing, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with out.open("wb") as binary:
                self._write_binary(fmt, query, unit, filters, listing, binary)
        if out:
            self.stderr.write(f"{query.title}：{listing.summary()}，已写入 {out}")

    @staticmethod
    def _write_text(fmt: str, query: Query, unit: Unit, filters: Filters, listing: Listing,
                    text: IO[str]) -> None:
        if fmt == "json":
            json.dump(json_document(query, unit, filters, listing), text, ensure_ascii=False,
                      indent=1)
            text.write("\n")
        else:
            write_csv(query, listing, text)

    @staticmethod
    def _write_binary(fmt: str, query: Query, unit: Unit, filters: Filters, listing: Listing,
                      binary: IO[bytes]) -> None:
        if fmt == "xlsx":
            write_xlsx(query, unit, filters, listing, binary)
        else:
            binary.write(pdf_bytes(query, unit, filters, listing))
