"""`batchfile_validate`: a whole batch file checked at once, every error reported.

Read (readers) -> find the header -> refuse formulas and merged cells in the data area
-> parse each cell (columns) -> row rules and duplicates (rules) -> with a unit, the
registry (registry_rules). Nothing is written; clean records are returned only when the
file has no error at all.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import get_type_hints

from django.conf import settings

from shebao.lib.periods import Month
from shebao.lib.spreadsheets import Cell, cell_label, column_letter
from shebao.registry.models import Unit

from .cells import cell_text, is_blank
from .errors import UNREADABLE, CellError, FileRefused, RowError, file_error
from .kinds import KINDS, FileKind, Record
from .readers import HEADER_SEARCH, MAX_ROWS, Table, table_read
from .registry_rules import registry_rules
from .rules import ParsedRow, RuleContext, duplicate_rules, row_rules

ID_HEADER = "身份证号码"
_LISTED = 5  # cells named in a file-level message before "等"
_TOO_MANY = f"数据超过 {MAX_ROWS:,} 行的上限，请分成几个文件上传"


@dataclass
class ValidationResult:
    kind: str
    digest: str  # sha256 of the bytes: the same file is applied once
    rows: int = 0  # data rows (blank rows not counted)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    readable: bool = True  # False: the file could not be read at all (CLI exit 2)
    header_row: int | None = None  # spreadsheet row of the header
    columns: dict[str, int] = field(default_factory=dict)  # header -> 0-based column

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, object]:
        """The shape printed by `shebao validate`."""
        return {"ok": self.ok, "kind": self.kind, "rows": self.rows,
                "errors": [e.as_dict() for e in self.errors]}


def batchfile_validate(data: bytes, filename: str, *, kind: str, unit: Unit | None,
                       as_of: dt.date) -> ValidationResult:
    """Validate a batch file of `kind` (add, remove, wage, backpay) declared on `as_of`.

    Without a unit only the file's own rules apply; with one, the registry's too.
    `filename` is used for nothing but messages: the content decides the format.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown batch file kind {kind!r}")
    result = ValidationResult(kind=kind, digest=hashlib.sha256(data).hexdigest())
    ctx = RuleContext(as_of=as_of, cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    try:
        with _gc_paused():
            _validate(table_read(data), spec, unit, ctx, result)
    except FileRefused as exc:
        result.errors.insert(0, file_error(exc.code, exc.message))
        result.readable = exc.code not in UNREADABLE
    result.errors.sort(key=lambda e: (e.row or 0, result.columns.get(e.column, -1)))
    if result.errors:
        result.records = []
    return result


def records_validate(items: list[dict[str, object]], *, kind: str, unit: Unit | None,
                     as_of: dt.date) -> ValidationResult:
    """Validate declared rows that come without a file: a web form (one row) or the
    API's JSON list. Each item maps a column's field name (`id_number`, `start`, …) to
    what was typed; the same cell parsers and rules as a batch file apply, so every
    message is the one a file would get. Row numbers count items from 1; the digest is
    that of the canonical JSON of the items."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown batch file kind {kind!r}")
    canonical = json.dumps(items, sort_keys=True, ensure_ascii=False, default=str)
    result = ValidationResult(kind=kind, digest=hashlib.sha256(canonical.encode()).hexdigest())
    ctx = RuleContext(as_of=as_of, cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    result.columns = {c.header: i for i, c in enumerate(spec.columns)}
    if not items:
        result.errors.append(file_error("no_data", "没有申报数据"))
        return result
    if len(items) > MAX_ROWS:
        result.errors.append(file_error("too_many_rows", _TOO_MANY))
        return result
    rows = []
    for number, item in enumerate(items, start=1):
        cells: dict[str, Cell] = {}
        for column in spec.columns:
            value = item.get(column.field)
            cells[column.field] = value if isinstance(value, (str, int)) else None
        rows.append(_parse_row(number, cells, spec, ctx))
    result.rows = len(rows)
    duplicate_rules(rows)
    if unit is not None:
        registry_rules(rows, unit, ctx)
    for row in rows:
        result.errors += row.errors
        result.warnings += row.warnings
    result.errors.sort(key=lambda e: (e.row or 0, result.columns.get(e.column, -1)))
    if not result.errors:
        result.records = [spec.record(row=r.row, **r.values) for r in rows]  # type: ignore[arg-type]
    return result



def lines_recheck(lines: list[tuple[int, str, str, dict[str, object]]], *, kind: str,
                  unit: Unit, as_of: dt.date) -> list[RowError]:
    """The registry's rules again over a stored draft's lines (line_no, id_number, name,
    data as `declaration_create` stored it), as the registry is now: what another
    declaration changed since the draft was made (the person already enrolled or left)
    shows as the error a file would get. Row numbers are line numbers."""
    spec = KINDS[kind]
    months = {f for f, hint in get_type_hints(spec.record).items() if hint is Month}
    ctx = RuleContext(as_of=as_of, cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    rows = []
    for line_no, id_number, name, data in lines:
        values: dict[str, object] = {"id_number": id_number, "name": name, **data}
        for f in months & set(values):
            values[f] = Month.parse(str(values[f]))
        cells: dict[str, Cell] = {f: str(v) for f, v in values.items()}
        rows.append(ParsedRow(row=line_no, kind=spec, cells=cells, values=values))
    if rows:
        registry_rules(rows, unit, ctx)
    return [e for row in rows for e in row.errors]

@contextmanager
def _gc_paused() -> Iterator[None]:
    """A 100,000-row file allocates millions of small objects that all stay alive until
    the end: the cyclic collector would rescan them again and again for nothing (about a
    quarter of the time, measured). Reference counting still frees everything. The
    switch is process-wide: overlapping validations in threads re-enable it when the
    first one that found it enabled ends, never leaving it off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _validate(table: Table, spec: FileKind, unit: Unit | None, ctx: RuleContext,
              result: ValidationResult) -> None:
    header_index = _find_header(table.rows)
    if header_index is None:
        raise FileRefused("no_data", "文件中没有表头和数据")
    result.header_row = header_index + 1
    positions = _map_header(table.rows[header_index], spec, result)
    if len(positions) < len(spec.columns):
        return  # missing columns: row errors would only repeat it
    result.columns = {c.header: positions[c.field] for c in spec.columns}
    _check_area(table, header_index, set(positions.values()), result)
    rows = _parse_rows(table, header_index, positions, spec, ctx, result)
    duplicate_rules(rows)
    if unit is not None and rows:
        registry_rules(rows, unit, ctx)
    for row in rows:
        result.errors += row.errors
        result.warnings += row.warnings
    if not result.errors:
        result.records = [spec.record(row=r.row, **r.values) for r in rows]  # type: ignore[arg-type]


def _header_name(value: Cell) -> str:
    # "身份证号码 *", "　姓名＊": spaces anywhere (full-width too) and the asterisk that
    # marks a required column are not part of the name.
    return "".join(cell_text(value).split()).strip("*＊")


def _find_header(rows: list[list[Cell]]) -> int | None:
    """The row naming 身份证号码 (a title may sit above it), else the first non-blank row."""
    first = None
    for index, row in enumerate(rows[:HEADER_SEARCH + 1]):
        if any(_header_name(c) == ID_HEADER for c in row):
            return index
        if first is None and not all(is_blank(c) for c in row):
            first = index
    return first


def _map_header(header: list[Cell], spec: FileKind, result: ValidationResult) -> dict[str, int]:
    known = {c.header: c for c in spec.columns}
    positions: dict[str, int] = {}
    row = result.header_row
    for index, cell in enumerate(header):
        name = _header_name(cell)
        if not name:
            continue
        column = known.get(name)
        if column is None:
            result.warnings.append(RowError(row, name, cell_text(cell), "extra_column",
                                            f"“{name}”列不是{spec.label}文件的列，已忽略"))
        elif column.field in positions:
            result.errors.append(file_error("duplicate_column",
                                            f"“{name}”列出现了两次（第 {column_letter(index)} 列）",
                                            column=name))
        else:
            positions[column.field] = index
    missing = [c.header for c in spec.columns if c.field not in positions]
    if missing:
        names = {_header_name(c) for c in header}
        hint = _other_kind(spec, names)
        for name in missing:
            result.errors.append(file_error("missing_column", _missing(name, spec, row) + hint,
                                            column=name))
    return positions


def _missing(header: str, spec: FileKind, row: int | None) -> str:
    names = "、".join(c.header for c in spec.columns)
    return f"缺少“{header}”列（表头在第 {row} 行）：{spec.label}文件应有这些列：{names}"


def _other_kind(spec: FileKind, names: set[str]) -> str:
    for other in KINDS.values():
        if other is not spec and all(c.header in names for c in other.columns):
            return f"。这似乎是{other.label}文件，请确认选择的业务类型"
    return ""


def _check_area(table: Table, header_index: int, columns: set[int],
                result: ValidationResult) -> None:
    """Formulas and merged cells where data is read are refused; elsewhere harmless."""
    inside = [p for p in table.formulas
              if p is None or (p[0] >= header_index and p[1] in columns)]
    if inside:
        cells = "、".join(cell_label(*p) for p in inside[:_LISTED] if p is not None) or "位置未知"
        more = f"等共 {len(inside)} 个单元格" if len(inside) > _LISTED else ""
        result.errors.append(file_error(
            "formula", f"数据区域含有公式（{cells}{more}）：请选中数据，复制后"
            "“选择性粘贴—数值”，保存后再上传"))
    elif table.formulas:
        result.warnings.append(file_error("formula_outside", "数据区域以外的公式已忽略"))
    merged = [m for m in table.merged if m.last_row >= header_index
              and any(m.first_col <= c <= m.last_col for c in columns)]
    if merged:
        ranges = "、".join(m.label for m in merged[:_LISTED])
        more = f"等共 {len(merged)} 处" if len(merged) > _LISTED else ""
        result.errors.append(file_error(
            "merged_cells", f"数据区域含有合并单元格（{ranges}{more}）：每个单元格只能填一个值，"
            "请取消合并后再上传"))


def _parse_rows(table: Table, header_index: int, positions: dict[str, int], spec: FileKind,
                ctx: RuleContext, result: ValidationResult) -> list[ParsedRow]:
    data = _data_rows(table, header_index, positions, result)
    if table.more_rows or len(data) > MAX_ROWS:
        raise FileRefused("too_many_rows", _TOO_MANY)
    if not data:
        result.errors.append(file_error("no_data", "文件中只有表头，没有数据行"))
    result.rows = len(data)
    return [_parse_row(number, cells, spec, ctx) for number, cells in data]


def _data_rows(table: Table, header_index: int, positions: dict[str, int],
               result: ValidationResult) -> list[tuple[int, dict[str, Cell]]]:
    """(spreadsheet row, cells by field) of every row with something in a known column.

    Blank rows are skipped: trailing ones silently, those between data with a warning.
    """
    data: list[tuple[int, dict[str, Cell]]] = []
    blanks: list[int] = []
    interior: list[int] = []
    for index in range(header_index + 1, len(table.rows)):
        raw = table.rows[index]
        cells = {f: (raw[p] if p < len(raw) else None) for f, p in positions.items()}
        if all(is_blank(v) for v in cells.values()):
            blanks.append(index + 1)
            continue
        if data:
            interior += blanks
        blanks = []
        data.append((index + 1, cells))
    if interior:
        listed = "、".join(map(str, interior[:_LISTED])) + ("等" if len(interior) > _LISTED else "")
        result.warnings.append(RowError(interior[0], "", "", "blank_rows",
                                        f"第 {listed} 行为空行，已忽略"))
    return data


def _parse_row(number: int, cells: dict[str, Cell], spec: FileKind, ctx: RuleContext) -> ParsedRow:
    row = ParsedRow(row=number, kind=spec, cells=cells)
    for column in spec.columns:
        try:
            row.values[column.field] = column.parse(cells[column.field], ctx.as_of)
        except CellError as exc:
            row.error(column.field, exc.code, exc.message)
    row_rules(row, ctx)
    return row
