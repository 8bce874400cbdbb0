"""shebao.lib.spreadsheets: the adapter's own edge cases (tested here, where it is used)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest

from shebao.lib import spreadsheets
from shebao.lib.spreadsheets import (
    SheetSpec,
    SheetTooLarge,
    SpreadsheetError,
    ZipLimits,
    cell_label,
    column_letter,
    sniff,
    xlsx_read,
    xlsx_write,
)
from shebao.lib.spreadsheets import _FormulaScan as FormulaScan
from shebao.lib.xlsx_extent import ExtentScan

from .samples import ole_bytes, xlsx_bytes, xlsx_patch_sheet


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


def test_max_rows_refuses_a_sheet_with_rows_beyond_it():
    data = xlsx_bytes([["a"], ["b"], ["c"], [None], ["d"]])
    with pytest.raises(SheetTooLarge) as exc:
        xlsx_read(data, max_rows=3)
    assert exc.value.code == "too_many_rows"
    with pytest.raises(SheetTooLarge):  # even a blank row: its used range reaches row 4
        xlsx_read(xlsx_bytes([["a"], ["b"], ["c"], [None]]), max_rows=3)
    sheet = xlsx_read(xlsx_bytes([["a"], ["b"], ["c"], [None]]), max_rows=4)
    assert (sheet.rows, sheet.more_rows) == ([["a"], ["b"], ["c"]], False)


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


# --- a sheet's extent, known before it is built ----------------------------------------

SMALL: list[list[object]] = [["a", "b"], [1, 2]]


def _dimension(ref: str) -> Callable[[bytes], bytes]:
    def patch(xml: bytes) -> bytes:
        patched, count = re.subn(rb'<dimension ref="[^"]*"\s*/>',
                                 f'<dimension ref="{ref}"/>'.encode(), xml)
        assert count == 1
        return patched
    return patch


def _append_rows(rows: bytes, *, dimension: bool = True) -> Callable[[bytes], bytes]:
    def patch(xml: bytes) -> bytes:
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>")
        return xml if dimension else re.sub(rb"<dimension[^>]*/>", b"", xml)
    return patch


@pytest.fixture
def nothing_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails the test if calamine is asked to build the sheet, or if the parts are
    decompressed in full, before the refusal."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sheet was read before its extent was checked")
    monkeypatch.setattr(spreadsheets, "_calamine_rows", refuse)


def test_a_declared_dimension_of_millions_of_rows_is_refused_before_parsing(
        nothing_built: None, monkeypatch: pytest.MonkeyPatch) -> None:
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _dimension("A1:Z1000000"))
    monkeypatch.setattr(spreadsheets, "_verify_parts", spreadsheets._calamine_rows)
    with pytest.raises(SheetTooLarge) as exc:
        xlsx_read(data, max_rows=1000, max_cols=50)
    assert exc.value.code == "too_many_rows"
    assert (exc.value.extent.rows, exc.value.extent.cols) == (1_000_000, 26)
    assert str(exc.value) == "工作表的使用范围达到 A1:Z1000000，超过 1,000 行的上限，已拒绝读取"


@pytest.mark.parametrize(("ref", "code"), [
    ("A1:XFD10", "too_many_columns"), ("A:B", "too_many_rows"), ("$A$1:$BA$2", "too_many_columns"),
    ("A1001", "too_many_rows"),
])
def test_declared_dimensions_beyond_either_limit(nothing_built: None, ref: str,
                                                 code: str) -> None:
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _dimension(ref))
    with pytest.raises(SheetTooLarge) as exc:
        xlsx_read(data, max_rows=1000, max_cols=50)
    assert exc.value.code == code


def test_a_dimension_within_the_limits_reads_as_before() -> None:
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _dimension("A1:AX1000"))
    assert xlsx_read(data, max_rows=1000, max_cols=50).rows == [["a", "b"], [1, 2]]


@pytest.mark.parametrize("dimension", [True, False], ids=["small-dimension", "no-dimension"])
def test_one_far_cell_is_refused_while_streaming(nothing_built: None,
                                                 dimension: bool) -> None:
    """The dimension says A1:B2 (or nothing) but one cell sits at Z1000000."""
    far = b'<row r="1000000"><c r="Z1000000"><v>1</v></c></row>'
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _append_rows(far, dimension=dimension))
    with pytest.raises(SheetTooLarge) as exc:
        xlsx_read(data, max_rows=100_011, max_cols=50)
    assert exc.value.code == "too_many_rows"
    assert exc.value.extent.where == "第 1,000,000 行"


def test_a_far_cell_in_a_near_row_is_refused(nothing_built: None) -> None:
    """Readers place a cell at its own reference, whatever its row says."""
    for cell, code in ((b'<c r="XFD3"><v>1</v></c>', "too_many_columns"),
                       (b'<c r="C1048576"><v>1</v></c>', "too_many_rows")):
        data = xlsx_patch_sheet(xlsx_bytes(SMALL), _append_rows(b'<row r="3">' + cell
                                                                + b"</row>"))
        with pytest.raises(SheetTooLarge) as exc:
            xlsx_read(data, max_rows=1000, max_cols=50)
        assert exc.value.code == code


def test_rows_without_numbers_are_counted() -> None:
    rows = b"".join(b"<row><c><v>1</v></c></row>" for _ in range(5))
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _append_rows(rows, dimension=False))
    with pytest.raises(SheetTooLarge):
        xlsx_read(data, max_rows=6)
    assert len(xlsx_read(data, max_rows=7).rows) == 7


def test_empty_rows_below_the_limit_are_harmless() -> None:
    """A row height set far below the data places no cell."""
    data = xlsx_patch_sheet(xlsx_bytes(SMALL), _append_rows(
        b'<row r="900000" ht="20" customHeight="1"/>'))
    assert xlsx_read(data, max_rows=1000, max_cols=50).rows == [["a", "b"], [1, 2]]


def test_extent_scan_handles_prefixes_and_chunk_boundaries() -> None:
    xml = (b'<x:worksheet><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
           b'<x:row r="2" spans="1:2"><x:c r="B2" t="s"><x:v>0</x:v></x:c></x:row>'
           b'<x:row><x:c r="BA3"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    for size in (1, 7, 64, len(xml)):
        scan = FormulaScan(ExtentScan(max_rows=10, max_cols=50))
        with pytest.raises(SheetTooLarge) as exc:
            for i in range(0, len(xml), size):
                scan.feed(xml[i:i + size])
            scan.feed(b"", final=True)
        assert exc.value.extent.where == "BA3", size
        assert exc.value.code == "too_many_columns"
