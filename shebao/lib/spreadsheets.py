"""Spreadsheets in and out: the one module that imports python-calamine and openpyxl.

Reading an uploaded .xlsx is defensive, because its bytes come from the internet:

1. the zip directory is checked before anything is decompressed: number of entries,
   declared uncompressed sizes and compression ratios (zip bombs), encrypted entries;
2. the data sheet's declared dimension (<dimension ref="A1:Z1000000"/>, Excel's used
   range) is read from the first bytes of its XML: a sheet reaching beyond the caller's
   row or column limit is refused before anything builds it (xlsx_extent.py);
3. every part is then streamed through `zipfile`, which stops at the declared size and
   checks the CRC, so a part lying about its size is refused before calamine sees it;
   the data sheet's XML is scanned on the way for formulas (calamine returns only the
   cached value of a formula, which may be stale or, from some writers, absent) and for
   rows and cells beyond the limits (a dimension that is missing or lies);
4. calamine (Rust, fast) reads the cells and the merged ranges of the first visible
   worksheet.

Writing uses openpyxl's write-only mode (rows are streamed, memory stays flat) for
blank forms and error reports alike; it never writes a formula (text starting with "="
stays text). Messages are Chinese; `code`s are stable English.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, cast
from xml.etree import ElementTree as ET

import python_calamine
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .xlsx_extent import DIMENSION_HEAD, Extent, ExtentScan, column_number, declared_extent

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
# What may be written: also exact decimals (amounts in yuan), stored as Excel numbers.
WriteCell = Cell | Decimal

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Directory entries of an encrypted OOXML package (MS-OFFCRYPTO), names in UTF-16LE.
_OLE_ENCRYPTED = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_CHUNK = 1 << 20
_SMALL_PART = 4 << 20  # workbook.xml and its relationships are a few KB


class SpreadsheetError(ValueError):
    """A file that cannot be read; `code` is a stable English code, str() is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class SheetTooLarge(SpreadsheetError):
    """The sheet reaches beyond the row or column limit (`extent`: how far, and where
    that was seen); code "too_many_rows" or "too_many_columns"."""

    def __init__(self, extent: Extent, max_rows: int | None, max_cols: int | None) -> None:
        rows = max_rows is not None and extent.rows > max_rows
        limit = f"{max_rows:,} 行" if rows else f"{max_cols or 0:,} 列"
        super().__init__("too_many_rows" if rows else "too_many_columns",
                         f"工作表的使用范围达到 {extent.where}，超过 {limit}的上限，已拒绝读取")
        self.extent = extent


@dataclass(frozen=True)
class ZipLimits:
    """Caps checked on the zip directory before any decompression."""

    max_entries: int = 1000
    max_total: int = 200 * 1024 * 1024
    max_ratio: int = 200  # ordinary sheets compress 5–30×; deflate's ceiling is ~1000×
    ratio_floor: int = 1024 * 1024  # small parts may compress as they like


@dataclass(frozen=True)
class CellRange:
    """A rectangle of cells, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @property
    def label(self) -> str:
        return f"{cell_label(self.first_row, self.first_col)}:" \
               f"{cell_label(self.last_row, self.last_col)}"


@dataclass
class SheetData:
    """The cells of one worksheet: rows[0] is spreadsheet row 1, column 0 is A."""

    name: str
    rows: list[list[Cell]]
    merged: list[CellRange] = field(default_factory=list)
    formulas: list[tuple[int, int] | None] = field(default_factory=list)  # None: no ref
    more_rows: bool = False  # non-empty rows beyond the `max_rows` read


def cell_label(row: int, col: int) -> str:
    """0-based (row, col) as Excel writes it: (4, 1) -> 'B5'."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def column_letter(col: int) -> str:
    """0-based column as Excel names it: 0 -> 'A', 27 -> 'AB'."""
    return str(get_column_letter(col + 1))


def sniff(data: bytes) -> str:
    """'zip' (xlsx and other OOXML), 'ole' (.xls, encrypted workbooks) or 'other'."""
    if data.startswith(OLE_SIGNATURE):
        return "ole"
    if data.startswith(ZIP_SIGNATURES):
        return "zip"
    return "other"


def ole_is_encrypted(data: bytes) -> bool:
    """An OLE2 container holding an encrypted OOXML workbook (password to open)."""
    return any(name in data for name in _OLE_ENCRYPTED)


# --- reading .xlsx -------------------------------------------------------------------


def xlsx_read(data: bytes, *, limits: ZipLimits | None = None, max_rows: int | None = None,
              max_cols: int | None = None) -> SheetData:
    """The first visible worksheet of an .xlsx, after the safety checks above.

    Reads at most `max_rows` rows (counting from row 1); `more_rows` tells whether
    non-empty rows follow. A sheet whose declared dimension, or whose cells, reach
    beyond `max_rows` or `max_cols` is refused (SheetTooLarge) before it is built.
    Raises SpreadsheetError.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise SpreadsheetError("not_spreadsheet", "文件已损坏或不是 Excel 工作簿（.xlsx）") from exc
    with zf:
        _check_directory(zf, limits or ZipLimits())
        _check_format(zf)
        name, part = _first_worksheet(zf)
        _check_dimension(zf, part, max_rows, max_cols)
        formulas = _verify_parts(zf, part, ExtentScan(max_rows, max_cols))
    rows, merged, more = _calamine_rows(data, name, max_rows)
    return SheetData(name=name, rows=rows, merged=merged, formulas=formulas, more_rows=more)


def _zip_bomb(detail: str) -> SpreadsheetError:
    return SpreadsheetError("zip_bomb", f"文件解压后过大或压缩比异常（{detail}），已拒绝读取")


def _check_directory(zf: zipfile.ZipFile, limits: ZipLimits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _zip_bomb(f"包含 {len(infos)} 个部件，上限 {limits.max_entries}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise SpreadsheetError("encrypted", "工作簿已加密，请取消密码保护后另存为 .xlsx 再上传")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError("not_spreadsheet", "文件不是 Excel 工作簿（不支持的压缩方式）")
        total += info.file_size
        if (info.file_size > limits.ratio_floor
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _zip_bomb(f"部件 {info.filename} 压缩比 {ratio}:1")
    if total > limits.max_total:
        raise _zip_bomb(f"解压后共 {total // (1024 * 1024)} MB，"
                        f"上限 {limits.max_total // (1024 * 1024)} MB")


def _check_format(zf: zipfile.ZipFile) -> None:
    names = set(zf.namelist())
    if "xl/workbook.bin" in names:
        raise SpreadsheetError("not_spreadsheet",
                               "不支持 Excel 二进制工作簿（.xlsb），请另存为 .xlsx")
    if "mimetype" in names and b"opendocument" in _read_part(zf, "mimetype"):
        raise SpreadsheetError("not_spreadsheet",
                               "不支持 OpenDocument 表格（.ods），请另存为 .xlsx")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise SpreadsheetError("not_spreadsheet",
                               "文件不是 Excel 工作簿（.xlsx），请使用系统提供的模板")


def _read_part(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        with zf.open(name) as fh:
            content = fh.read(_SMALL_PART + 1)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise SpreadsheetError("corrupt_file", f"工作簿已损坏（{name}）") from exc
    if len(content) > _SMALL_PART:
        raise _zip_bomb(f"部件 {name} 过大")
    return content


def _parse_xml(content: bytes, name: str) -> ET.Element:
    # Entity declarations are how XML bombs work; workbook parts never need them.
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise SpreadsheetError("corrupt_file", f"工作簿部件 {name} 含有不允许的声明")
    try:
        return ET.fromstring(content)  # noqa: S314 -- no DTD, size capped above
    except ET.ParseError as exc:
        raise SpreadsheetError("corrupt_file", f"工作簿已损坏（{name}）") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _first_worksheet(zf: zipfile.ZipFile) -> tuple[str, str]:
    """Name and part path of the first visible worksheet (chart sheets skipped)."""
    targets: dict[str, tuple[str, str]] = {}
    rels = _parse_xml(_read_part(zf, "xl/_rels/workbook.xml.rels"), "workbook.xml.rels")
    for rel in rels:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id", "")] = (posixpath.normpath(path), rel.get("Type", ""))
    book = _parse_xml(_read_part(zf, "xl/workbook.xml"), "workbook.xml")
    for sheet in (el for el in book.iter() if _local(el.tag) == "sheet"):
        rid = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        path, kind = targets.get(rid, ("", ""))
        if sheet.get("state", "visible") == "visible" and kind.endswith("/worksheet"):
            return sheet.get("name", ""), path
    raise SpreadsheetError("not_spreadsheet", "工作簿中没有可见的工作表")


def _check_dimension(zf: zipfile.ZipFile, part: str, max_rows: int | None,
                     max_cols: int | None) -> None:
    try:
        with zf.open(part) as fh:
            head = fh.read(DIMENSION_HEAD)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise _part_error(part, exc) from exc
    declared = declared_extent(head)
    if declared is not None and declared.exceeds(max_rows, max_cols):
        raise SheetTooLarge(declared, max_rows, max_cols)


# Tag names may carry a namespace prefix (<x:c>, <x:f>) in files from some writers.
_P = rb"(?:[A-Za-z_][\w.-]*:)?"
_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
_CELL = re.compile(rb"<" + _P + rb"c((?:\s(?:[^>/]|/(?!>))*)?)(?:/>|>(.*?)</" + _P + rb"c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_MAX_FORMULA_REFS = 1000


class _FormulaScan:
    """Finds formula cells in a worksheet's XML, fed in chunks split at row ends; hands
    each part to `extent` too, which refuses rows and cells beyond the limits."""

    def __init__(self, extent: ExtentScan | None = None) -> None:
        self.found: list[tuple[int, int] | None] = []
        self._tail = b""
        self._extent = extent

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        buf = self._tail + chunk
        cut = len(buf) if final else buf.rfind(b"row>") + 4
        if cut <= 3:  # no row end yet: keep accumulating (bounded by the zip caps)
            self._tail = buf
            return
        part, self._tail = buf[:cut], buf[cut:]
        if self._extent is not None and (beyond := self._extent.scan(part)) is not None:
            raise SheetTooLarge(beyond, self._extent.max_rows, self._extent.max_cols)
        if len(self.found) < _MAX_FORMULA_REFS and _FORMULA.search(part):
            self._locate(part)

    def _locate(self, part: bytes) -> None:
        before = len(self.found)
        for m in _CELL.finditer(part):
            if m.group(2) and _FORMULA.search(m.group(2)):
                ref = _REF.search(m.group(1))
                self.found.append(_ref_position(ref.group(1), ref.group(2)) if ref else None)
        if len(self.found) == before:
            self.found.append(None)


def _ref_position(letters: bytes, digits: bytes) -> tuple[int, int]:
    return int(digits) - 1, column_number(letters.decode("ascii")) - 1


def _verify_parts(zf: zipfile.ZipFile, sheet_part: str,
                  extent: ExtentScan | None = None) -> list[tuple[int, int] | None]:
    """Decompress every part once (size and CRC checked); scan the sheet for formulas
    and, with `extent`, for rows and cells beyond its limits (stopping at the first)."""
    scan = _FormulaScan(extent)
    for info in zf.infolist():
        is_sheet = info.filename == sheet_part
        try:
            with zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    if is_sheet:
                        scan.feed(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _part_error(info.filename, exc) from exc
        if is_sheet:
            scan.feed(b"", final=True)
    return scan.found


def _part_error(name: str, exc: Exception) -> SpreadsheetError:
    return SpreadsheetError("zip_bomb" if "CRC" in str(exc) else "corrupt_file",
                            f"工作簿已损坏或部件大小与声明不符（{name}），已拒绝读取")


def _calamine_rows(data: bytes, name: str,
                   max_rows: int | None) -> tuple[list[list[Cell]], list[CellRange], bool]:
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_name(name)
        rows = cast(list[list[Cell]], sheet.to_python(skip_empty_area=False, nrows=max_rows))
        more = False
        if max_rows is not None and sheet.end is not None and sheet.end[0] >= max_rows:
            rest = sheet.iter_rows()
            more = any(_filled(r) for i, r in enumerate(rest) if i >= max_rows)
        merged = [CellRange(a[0], a[1], b[0], b[1]) for a, b in sheet.merged_cell_ranges or ()]
    except python_calamine.PasswordError as exc:
        raise SpreadsheetError("encrypted", "工作簿已加密，请取消密码保护后再上传") from exc
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise SpreadsheetError("corrupt_file", f"工作簿无法读取：{exc}") from exc
    return rows, merged, more


def _filled(row: Sequence[Cell]) -> bool:
    return any(c not in (None, "") and not (isinstance(c, str) and not c.strip()) for c in row)


# --- writing .xlsx -------------------------------------------------------------------

RED_FILL = PatternFill("solid", fgColor="FFC7CE")
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
COMMENT_AUTHOR = "社保申报系统"


@dataclass(frozen=True)
class ColumnStyle:
    width: float | None = None
    text: bool = False  # number format "@": Excel keeps what is typed (IDs, months)
    number_format: str | None = None
    choices: tuple[str, ...] = ()  # a dropdown list on the data rows
    wrap: bool = False


@dataclass
class SheetSpec:
    """One sheet to write. `marks` maps 0-based (row, col) to a comment; marked cells
    are filled red."""

    name: str
    rows: Iterable[Sequence[WriteCell]]
    columns: Sequence[ColumnStyle] = ()
    bold_first_row: bool = False
    freeze_first_row: bool = False
    marks: Mapping[tuple[int, int], str] = field(default_factory=dict)
    dropdown_rows: int = 10_000


def xlsx_write(sheets: Sequence[SheetSpec]) -> bytes:
    """Write the sheets, in order, into an .xlsx and return its bytes."""
    out = io.BytesIO()
    xlsx_write_to(sheets, out)
    return out.getvalue()


def xlsx_write_to(sheets: Sequence[SheetSpec], target: IO[bytes]) -> None:
    """Write the sheets into a binary file: rows are read from each sheet's iterable one
    at a time (openpyxl's write-only mode spools them to disk), so a large report into a
    temporary file holds no more than a row in memory."""
    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    book.save(target)


def _write_sheet(book: Workbook, spec: SheetSpec) -> None:
    ws = book.create_sheet(spec.name[:31])
    for index, style in enumerate(spec.columns):
        letter = get_column_letter(index + 1)
        dim = ws.column_dimensions[letter]
        if style.width:
            dim.width = style.width
        if style.text or style.number_format:
            dim.number_format = "@" if style.text else style.number_format
        if style.choices:
            _add_dropdown(ws, letter, style.choices, spec.dropdown_rows)
    if spec.freeze_first_row:
        ws.freeze_panes = "A2"
    marked_cols: dict[int, int] = {}
    for r, c in spec.marks:
        marked_cols[r] = max(marked_cols.get(r, -1), c)
    for r, values in enumerate(spec.rows):
        ws.append(_row_cells(ws, spec, r, values, marked_cols.get(r, -1)))


def _add_dropdown(ws: Any, letter: str, choices: tuple[str, ...], rows: int) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                        allow_blank=True, showErrorMessage=True,
                        errorTitle="输入值无效", error="请从下拉列表中选择：" + "、".join(choices))
    dv.add(f"{letter}2:{letter}{rows + 1}")
    ws.data_validations.append(dv)


def _row_cells(ws: Any, spec: SheetSpec, r: int, values: Sequence[WriteCell],
               last_marked: int) -> list[object]:
    width = max(len(values), last_marked + 1)
    cells: list[object] = []
    for c in range(width):
        value = values[c] if c < len(values) else None
        note = spec.marks.get((r, c))
        style = spec.columns[c] if c < len(spec.columns) else None
        bold = spec.bold_first_row and r == 0
        formula_like = isinstance(value, str) and value.startswith("=")
        if note is None and not bold and not (style and style.wrap) and not formula_like:
            cells.append(_plain(value))
            continue
        cell = WriteOnlyCell(ws, value=_plain(value))
        if formula_like:
            # openpyxl would write "=…" as a formula: uploaded text must stay text
            # (formula injection into the report a person opens).
            cell.data_type = "s"
        if bold:
            cell.font = _BOLD
        if style and style.wrap:
            cell.alignment = _WRAP
        if note is not None:
            cell.fill = RED_FILL
            cell.comment = Comment(note, COMMENT_AUTHOR, width=300, height=120)
        cells.append(cell)
    return cells


def _plain(value: WriteCell) -> WriteCell:
    # openpyxl cannot write durations; a time of day it can.
    return str(value) if isinstance(value, dt.timedelta) else value
