"""The error report: the uploaded file back as .xlsx, every bad cell red with a comment.

The first sheet, 错误说明, lists every error (file-level ones first) and the warnings;
the second holds the file's cells as they were read, so a person can correct them there
and upload the corrected sheet.
"""

from __future__ import annotations

from shebao.lib.spreadsheets import ColumnStyle, SheetSpec, xlsx_write

from .errors import FileRefused, RowError
from .kinds import KINDS
from .readers import table_read
from .validate import ValidationResult

SUMMARY_SHEET = "错误说明"


def errors_workbook(data: bytes, filename: str, result: ValidationResult) -> bytes:
    sheets = [_summary(filename, result)]
    try:
        table = table_read(data)
    except FileRefused:
        table = None  # nothing readable to mark: the summary says why
    if table is not None:
        name = table.sheet if table.sheet and table.sheet != SUMMARY_SHEET else "数据"
        sheets.append(SheetSpec(name=name, rows=table.rows, marks=_marks(result),
                                columns=_styles(result)))
    return xlsx_write(sheets)


def _summary(filename: str, result: ValidationResult) -> SheetSpec:
    rows: list[list[object]] = [["行号", "列名", "填写的值", "错误代码", "说明"]]
    rows += [_line(e) for e in result.errors]
    rows += [_line(w, warning=True) for w in result.warnings]
    if not result.errors:
        rows.append(["", "", "", "", f"{filename}：校验通过，共 {result.rows} 行"])
    widths = (10, 14, 24, 22, 80)
    return SheetSpec(name=SUMMARY_SHEET, rows=rows,  # type: ignore[arg-type]
                     columns=[ColumnStyle(width=w, text=True, wrap=i == 4)
                              for i, w in enumerate(widths)],
                     bold_first_row=True, freeze_first_row=True)


def _line(e: RowError, *, warning: bool = False) -> list[object]:
    where = "整个文件" if e.row is None else e.row
    return [where, e.column, e.value, e.code, ("（提示）" if warning else "") + e.message]


def _marks(result: ValidationResult) -> dict[tuple[int, int], str]:
    marks: dict[tuple[int, int], str] = {}
    for e in result.errors:
        col = result.columns.get(e.column)
        if e.row is None or col is None:
            continue
        key = (e.row - 1, col)
        marks[key] = f"{marks[key]}\n{e.message}" if key in marks else e.message
    return marks


def _styles(result: ValidationResult) -> list[ColumnStyle]:
    spec = KINDS[result.kind]
    by_header = {c.header: c for c in spec.columns}
    width = max(result.columns.values(), default=-1) + 1
    styles = [ColumnStyle(width=12) for _ in range(width)]
    for header, index in result.columns.items():
        column = by_header[header]
        styles[index] = ColumnStyle(width=column.width, text=column.text)
    return styles
