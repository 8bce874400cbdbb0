"""shebao.lib.spreadsheets: the adapter's own edge cases (tested here, where it is used)."""

from __future__ import annotations

import io
import zipfile

import pytest

from shebao.lib.spreadsheets import (
    SheetSpec,
    SpreadsheetError,
    ZipLimits,
    cell_label,
    column_letter,
    sniff,
    xlsx_read,
    xlsx_write,
)
from shebao.lib.spreadsheets import _FormulaScan as FormulaScan

from .samples import ole_bytes, xlsx_bytes


def test_sniff_by_content():
    assert sniff(xlsx_bytes([["a"]])) == "zip"
    assert sniff(ole_bytes("Workbook")) == "ole"
    assert sniff(b"a,b\n") == "other"


def test_labels():
    assert (cell_label(0, 0), cell_label(4, 1), cell_label(9, 27)) == ("A1", "B5", "AB10")
    assert column_letter(25) == "Z"


def test_reads_rows_with_absolute_positions():
    data = xlsx_bytes([[None], [None, None, "x"], [1.5]])
    sheet = xlsx_read(data)
    assert sheet.rows == [["", "", ""], ["", "", "x"], [1.5, "", ""]]


def test_reads_the_first_visible_sheet():
    book = io.BytesIO(xlsx_bytes([["hidden"]], title="说明", extra_sheets=["数据"]))
    from openpyxl import load_workbook

    wb = load_workbook(book)
    wb["说明"].sheet_state = "hidden"
    wb["数据"]["A1"] = "shown"
    out = io.BytesIO()
    wb.save(out)
    sheet = xlsx_read(out.getvalue())
    assert (sheet.name, sheet.rows) == ("数据", [["shown"]])


def test_max_rows_tells_whether_more_rows_follow():
    data = xlsx_bytes([["a"], ["b"], ["c"], [None], ["d"]])
    assert xlsx_read(data, max_rows=3).more_rows
    assert not xlsx_read(xlsx_bytes([["a"], ["b"], ["c"], [None]]), max_rows=3).more_rows
    assert len(xlsx_read(data, max_rows=3).rows) == 3


def test_finds_formula_cells_and_merged_ranges():
    sheet = xlsx_read(xlsx_bytes([["a", "b"], ["=1+1", 2], [3, "=A2"]], merged=["A4:B5"]))
    assert sheet.formulas == [(1, 0), (2, 1)]
    assert [m.label for m in sheet.merged] == ["A4:B5"]


def test_formula_scan_handles_prefixes_and_chunk_boundaries():
    xml = (b'<x:worksheet><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c>'
           b'<x:c r="B1" t="str"><x:f>SUM(A1)</x:f><x:v>1</x:v></x:c></x:row>'
           b'<x:row r="2"><x:c r="C2"/><x:c r="AA2"><x:f t="shared" si="0"/></x:c></x:row>'
           b'</x:sheetData><x:dataValidations><x:dataValidation><x:formula1>"a,b"'
           b'</x:formula1></x:dataValidation></x:dataValidations></x:worksheet>')
    for size in (1, 7, 64, len(xml)):
        scan = FormulaScan()
        for i in range(0, len(xml), size):
            scan.feed(xml[i:i + size])
        scan.feed(b"", final=True)
        assert scan.found == [(0, 1), (1, 26)], size


def test_writer_never_writes_formulas_and_reads_back():
    data = xlsx_write([SheetSpec("表", [["=1+1", 2.5], [None, "文字"]])])
    sheet = xlsx_read(data)
    assert sheet.rows == [["=1+1", 2.5], ["", "文字"]]
    assert sheet.formulas == []


def test_refuses_xml_entity_declarations():
    buf = io.BytesIO(xlsx_bytes([["a"]]))
    with zipfile.ZipFile(buf) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts["xl/workbook.xml"] = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + parts["xl/workbook.xml"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name, content in parts.items():
            dst.writestr(name, content)
    with pytest.raises(SpreadsheetError) as exc:
        xlsx_read(out.getvalue())
    assert exc.value.code == "corrupt_file"


def test_ratio_is_not_checked_on_small_parts():
    data = xlsx_bytes([["a"] * 50] * 50)
    assert xlsx_read(data, limits=ZipLimits(max_ratio=2, ratio_floor=1 << 20)).rows
    with pytest.raises(SpreadsheetError):
        xlsx_read(data, limits=ZipLimits(max_ratio=2, ratio_floor=100))
