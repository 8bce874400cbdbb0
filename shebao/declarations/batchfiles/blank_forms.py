"""Blank forms (表样下载) for each kind of batch file, as .xlsx and as CSV.

The workbook's first sheet is the form: one bold, frozen header row with the exact column
names, dropdowns for the coded columns, text format on the columns Excel would
otherwise mangle (ID numbers, months, phone numbers). The second sheet, 填表说明,
explains each column with an example.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import chain

from django.conf import settings

from shebao.lib.spreadsheets import ColumnStyle, SheetSpec, WriteCell, xlsx_write

from .kinds import KINDS, FileKind
from .readers import MAX_BYTES, MAX_ROWS
from .rules import MONTHS_AHEAD

NOTES_SHEET = "填表说明"


def _kind(kind: str) -> FileKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown batch file kind {kind!r}") from None


def blank_form_xlsx(kind: str) -> bytes:
    return form_xlsx(kind)


def form_xlsx(kind: str, rows: Iterable[Sequence[WriteCell]] = (),
              first_notes: Sequence[str] = ()) -> bytes:
    """The form of `kind`, blank or with data `rows` (values in the kind's column order,
    e.g. the unit's people prefilled); `first_notes` go at the top of the notes sheet."""
    spec = _kind(kind)
    form = SheetSpec(
        name=spec.label,
        rows=chain([[c.header for c in spec.columns]], rows),
        columns=[ColumnStyle(width=c.width, text=c.text, number_format=c.number_format,
                             choices=c.choices) for c in spec.columns],
        bold_first_row=True,
        freeze_first_row=True,
        dropdown_rows=MAX_ROWS,
    )
    notes = SheetSpec(
        name=NOTES_SHEET,
        rows=_notes(spec, first_notes),
        columns=[ColumnStyle(width=14), ColumnStyle(width=8), ColumnStyle(width=60, wrap=True),
                 ColumnStyle(width=22, text=True)],
        bold_first_row=True,
        freeze_first_row=True,
    )
    return xlsx_write([form, notes])


def blank_form_csv(kind: str) -> bytes:
    """The header line only, UTF-8 with a BOM so that Excel opens the Chinese correctly."""
    spec = _kind(kind)
    return ("\ufeff" + ",".join(c.header for c in spec.columns) + "\r\n").encode("utf-8")


def _notes(spec: FileKind, first_notes: Sequence[str] = ()) -> list[list[str]]:
    rows = [["列名", "是否必填", "填写说明", "示例"]]
    if first_notes:
        rows += [["", "", line, ""] for line in first_notes]
        rows.append([])
    rows += [[c.header, "必填", c.note, c.example] for c in spec.columns]
    rows.append([])
    rows += [["", "", line, ""] for line in _general(spec)]
    return rows


def _general(spec: FileKind) -> list[str]:
    cutoff = settings.DECLARATION_CUTOFF_DAY
    lines = [
        f"1. 本表用于{spec.label}报盘：第一个工作表“{spec.label}”的第一行是表头，请勿修改列名、"
        "不要插入标题行；每人一行，从第二行开始填写。",
        "2. 身份证号码、年月、联系电话等列已设为文本格式，请直接输入；从其他表格粘贴时请用"
        "“选择性粘贴—数值”，以免号码变成科学计数法（如 1.10105E+17）。",
        "3. 不要使用公式，不要合并单元格；多余的列会被忽略。",
        f"4. 每个文件最多 {MAX_ROWS:,} 行数据、{MAX_BYTES // 1048576} MB；可上传 .xlsx，"
        "或 CSV（UTF-8 或 GBK 编码）。不支持 Excel 97-2003 (.xls) 格式和加密的工作簿。",
        "5. 文件整体校验：有任何一处错误，整个文件都不会受理；请按错误报告逐一改正后重新上传。",
    ]
    if spec.code in ("add", "remove"):
        lines.append(f"6. 每月 {cutoff} 日（含）前申报的自当月起生效，之后申报的自下月起生效；"
                     f"最多可提前 {MONTHS_AHEAD} 个月申报。")
    if spec.code == "backpay":
        lines.append("6. 补缴月份最早为 2004 年 11 月，最晚为上月；同一人员可分几行补缴不同期间，"
                     "期间不能重叠。补缴须经经办机构审核。")
    return lines
