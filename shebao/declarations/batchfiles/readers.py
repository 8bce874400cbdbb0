"""Bytes to a table of cells: .xlsx (through lib.spreadsheets) or CSV, chosen by content.

The file name is never trusted: a .csv that is really a workbook is read as one, and an
old .xls renamed .xlsx is still refused. Every refusal is a FileRefused with a stable
code and a Chinese message saying what to do instead.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from shebao.lib.spreadsheets import (
    Cell,
    CellRange,
    SheetTooLarge,
    SpreadsheetError,
    ZipLimits,
    ole_is_encrypted,
    sniff,
    xlsx_read,
)
from shebao.lib.textfiles import DecodeError, decode_text

from .cells import is_blank
from .errors import FileRefused

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000  # data rows
HEADER_SEARCH = 10  # the header may sit below a title of up to this many rows
# [decision] The columns a workbook may reach. The widest kind (增员) has 7; units keep
# notes in columns of their own beside them, so 50 leaves room, while the largest sheet
# calamine may then build (MAX_ROWS + HEADER_SEARCH + 1 rows × 50 columns) stays a
# second or two of one worker's time.
MAX_COLUMNS = 50
ZIP_LIMITS = ZipLimits(max_entries=1000, max_total=200 * 1024 * 1024, max_ratio=200)

# Signatures of common files that are not spreadsheets (first bytes).
_BINARY = {
    b"%PDF": "PDF 文档", b"\x89PNG": "PNG 图片", b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片", b"BM": "BMP 图片", b"Rar!": "RAR 压缩包", b"7z\xbc\xaf": "7z 压缩包",
    b"\x1f\x8b": "gzip 压缩包", b"BZh": "bzip2 压缩包", b"\x7fELF": "程序文件", b"MZ": "程序文件",
    b"{\\rtf": "RTF 文档",
}
_SAVE_AS = "请在 Excel 中“另存为” Excel 工作簿（.xlsx）或 CSV 后再上传"


@dataclass
class Table:
    """Cells as read: rows[i] is spreadsheet row i + 1 (CSV: record i + 1)."""

    rows: list[list[Cell]]
    sheet: str = ""
    merged: list[CellRange] = field(default_factory=list)
    formulas: list[tuple[int, int] | None] = field(default_factory=list)
    more_rows: bool = False  # non-empty rows beyond those read


def table_read(data: bytes) -> Table:
    """Read a batch file; FileRefused when it cannot be read as a spreadsheet."""
    if not data:
        raise FileRefused("empty_file", "文件为空")
    if len(data) > MAX_BYTES:
        raise FileRefused("file_too_large", f"文件超过 {MAX_BYTES // 1048576} MB 的上限，"
                          "请分成几个文件上传")
    cap = MAX_ROWS + HEADER_SEARCH + 1
    kind = sniff(data)
    if kind == "ole":
        return _ole(data)
    if kind == "zip":
        try:
            sheet = xlsx_read(data, limits=ZIP_LIMITS, max_rows=cap, max_cols=MAX_COLUMNS)
        except SheetTooLarge as exc:
            raise _too_large(exc) from None
        except SpreadsheetError as exc:
            raise FileRefused(exc.code, str(exc)) from None
        return Table(rows=sheet.rows, sheet=sheet.name, merged=sheet.merged,
                     formulas=sheet.formulas, more_rows=sheet.more_rows)
    return _csv(_text(data), cap)


def _too_large(exc: SheetTooLarge) -> FileRefused:
    """In the batch file's terms: data rows (not sheet rows), and what to do."""
    where = exc.extent.where
    if exc.code == "too_many_rows":
        return FileRefused(exc.code, f"工作表的使用范围达到 {where}，超过 {MAX_ROWS:,} 行数据的"
                           "上限，已拒绝读取：如果数据并没有这么多，请删除数据下方多余的行（包括"
                           "设置过格式的空行）后保存再上传；数据确实较多时请分成几个文件上传")
    return FileRefused(exc.code, f"工作表的使用范围达到 {where}，超过 {MAX_COLUMNS} 列的上限，"
                       "已拒绝读取：请删除数据右侧多余的列（包括设置过格式的空列）后保存再上传")


def _ole(data: bytes) -> Table:
    if ole_is_encrypted(data):
        raise FileRefused("encrypted", "工作簿设置了打开密码（已加密），无法读取：请在 Excel 中"
                          "取消密码（文件—信息—保护工作簿—用密码进行加密，清空密码）后再上传")
    raise FileRefused("xls_format", "不支持 Excel 97-2003 工作簿（.xls）：" + _SAVE_AS)


def _text(data: bytes) -> str:
    for signature, what in _BINARY.items():
        if data.startswith(signature):
            raise FileRefused("not_spreadsheet", f"文件是{what}，不是电子表格：{_SAVE_AS}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" (UTF-16)
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused("encoding", "无法识别文件编码") from exc
    else:
        try:
            text = decode_text(data)
        except DecodeError as exc:
            code = "not_spreadsheet" if b"\x00" in data[:4096] else "encoding"
            message = f"文件不是电子表格：{_SAVE_AS}" if code == "not_spreadsheet" else str(exc)
            raise FileRefused(code, message) from exc
    if text.lstrip().startswith("<"):
        raise FileRefused("not_spreadsheet", f"文件是网页或 XML，不是 .xlsx 或 CSV：{_SAVE_AS}")
    return text


def _csv(text: str, cap: int) -> Table:
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    rows: list[list[Cell]] = []
    more = False
    try:
        for record in _records(text, delimiter):
            if len(rows) < cap:
                rows.append(list(record))
            elif not all(is_blank(c) for c in record):
                more = True
                break
    except csv.Error as exc:
        raise FileRefused("corrupt_file", f"CSV 文件格式错误：{exc}") from None
    return Table(rows=rows, more_rows=more)


def _records(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
