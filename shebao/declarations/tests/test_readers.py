"""Reading batch files: every refusal, encodings, headers, blank rows; by content, not name."""

from __future__ import annotations

import re

import pytest

from shebao.declarations.batchfiles import readers
from shebao.declarations.batchfiles.readers import MAX_BYTES, MAX_COLUMNS, MAX_ROWS
from shebao.lib import spreadsheets
from shebao.lib.spreadsheets import ZipLimits, column_letter

from .samples import (
    HEADERS,
    add_row,
    check,
    codes,
    csv_bytes,
    read,
    wage_row,
    xlsx_bytes,
    xlsx_patch_sheet,
    zip_add,
    zip_patch_central,
)

GOOD = [HEADERS["add"], add_row(1), add_row(2)]
EMPTY_ZIP = b"PK\x05\x06" + bytes(18)


def refusal(result):
    """The single file-level error of a refused file."""
    assert not result.ok
    assert len(result.errors) == 1, result.errors
    error = result.errors[0]
    assert error.row is None
    assert error.message
    return error.code


# --- refusals ------------------------------------------------------------------------


def test_refuses_old_xls_format():
    result = check(read("old_format.xls"), filename="old.xlsx")
    assert refusal(result) == "xls_format"
    assert not result.readable
    assert ".xls" in result.errors[0].message


def test_refuses_encrypted_workbook():
    result = check(read("encrypted.xlsx"))
    assert refusal(result) == "encrypted"
    assert not result.readable
    assert "密码" in result.errors[0].message


def test_refuses_zip_with_encrypted_entries():
    data = zip_patch_central(xlsx_bytes(GOOD), "xl/workbook.xml", flags=0x1)
    assert refusal(check(data)) == "encrypted"


@pytest.mark.parametrize(("data", "what"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"\x00\x01\x02\x03binary\x00garbage", "不是电子表格"),
    ("<html><body><table><tr><td>身份证号码</td></tr></table></body></html>".encode(), "网页"),
    (b"PK\x03\x04" + bytes(40), "Excel"),  # a broken zip
])
def test_refuses_files_that_are_not_spreadsheets(data, what):
    result = check(data, filename="upload.xlsx")
    assert refusal(result) == "not_spreadsheet"
    assert what in result.errors[0].message
    assert not result.readable


def test_refuses_a_zip_that_is_not_a_workbook():
    data = zip_add(EMPTY_ZIP, "[Content_Types].xml", b"<Types/>")
    data = zip_add(data, "word/document.xml", b"<w:document/>")
    assert refusal(check(data)) == "not_spreadsheet"


@pytest.mark.parametrize(("name", "content", "shown"), [
    ("xl/workbook.bin", b"\x00", ".xlsb"),
    ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", ".ods"),
])
def test_refuses_other_spreadsheet_formats(name, content, shown):
    data = zip_add(EMPTY_ZIP, name, content)
    result = check(data)
    assert refusal(result) == "not_spreadsheet"
    assert shown in result.errors[0].message


def test_refuses_formulas_in_the_data_area():
    result = check(read("formula.xlsx"), "wage")
    assert codes(result)[0] == (None, "", "formula")
    assert "C2" in result.errors[0].message
    assert "选择性粘贴" in result.errors[0].message
    assert result.readable  # the file was read: exit 1, not 2


def test_formulas_outside_the_data_area_are_only_a_warning():
    rows = [[*HEADERS["wage"], "备注"], [*wage_row(1), "=1+1"]]
    result = check(xlsx_bytes(rows, title="缴费工资"), "wage")
    assert result.ok, result.errors
    assert {w.code for w in result.warnings} == {"extra_column", "formula_outside"}


def test_refuses_merged_cells_in_the_data_area():
    result = check(read("merged.xlsx"), "wage")
    assert (None, "", "merged_cells") in codes(result)
    assert "B2:B3" in next(e.message for e in result.errors if e.code == "merged_cells")


def test_a_merged_title_above_the_header_is_fine():
    rows = [["某某公司增员表"], HEADERS["add"], add_row(1)]
    result = check(xlsx_bytes(rows, merged=["A1:G1"]))
    assert result.ok, result.errors
    assert result.header_row == 2
    assert result.records[0].row == 3


def test_refuses_more_rows_than_the_limit():
    rows = [HEADERS["wage"], *([wage_row(1)] * (MAX_ROWS + 1))]
    result = check(csv_bytes(rows), "wage")
    assert refusal(result) == "too_many_rows"
    assert not result.readable


def _claims(ref: str) -> bytes:
    """A small add file whose sheet declares the used range `ref`."""
    return xlsx_patch_sheet(xlsx_bytes(GOOD), lambda xml: re.sub(
        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), xml))


def _far_cell(ref: str) -> bytes:
    """A small add file with one more cell at `ref` (its dimension left small)."""
    row = re.sub(r"[A-Z]", "", ref)
    return xlsx_patch_sheet(xlsx_bytes(GOOD), lambda xml: xml.replace(
        b"</sheetData>", f'<row r="{row}"><c r="{ref}"><v>1</v></c></row></sheetData>'.encode()))


@pytest.fixture
def never_built(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("calamine was asked to build the sheet")
    monkeypatch.setattr(spreadsheets, "_calamine_rows", refuse)


def test_refuses_a_sheet_declaring_millions_of_rows_before_reading_it(never_built):
    result = check(_claims("A1:Z1000000"))
    assert refusal(result) == "too_many_rows"
    assert not result.readable
    message = result.errors[0].message
    assert "A1:Z1000000" in message and f"{MAX_ROWS:,} 行数据的上限" in message
    assert "删除数据下方多余的行" in message


def test_refuses_a_sparse_cell_millions_of_rows_down_before_building_the_sheet(never_built):
    result = check(_far_cell("Z1000000"))
    assert refusal(result) == "too_many_rows"
    assert "第 1,000,000 行" in result.errors[0].message


def test_refuses_a_sheet_reaching_beyond_the_column_limit(never_built):
    beyond = column_letter(MAX_COLUMNS)  # 0-based: the first column past the limit
    for data in (_claims(f"A1:{beyond}3"), _far_cell(f"{beyond}3"), _far_cell("XFD3")):
        result = check(data)
        assert refusal(result) == "too_many_columns"
        assert f"超过 {MAX_COLUMNS} 列的上限" in result.errors[0].message
        assert "删除数据右侧多余的列" in result.errors[0].message


def test_a_sheet_up_to_the_limits_is_read():
    last = column_letter(MAX_COLUMNS - 1)
    assert check(_claims(f"A1:{last}{MAX_ROWS + readers.HEADER_SEARCH + 1}")).ok
    assert check(_far_cell(f"{last}3")).ok


def test_refuses_more_bytes_than_the_limit():
    result = check(b"x" * (MAX_BYTES + 1))
    assert refusal(result) == "file_too_large"
    assert not result.readable


def test_refuses_an_empty_file():
    assert refusal(check(b"")) == "empty_file"


def test_refuses_zip_bomb_by_compression_ratio():
    result = check(read("zip_bomb.xlsx"))
    assert refusal(result) == "zip_bomb"
    assert "压缩比" in result.errors[0].message
    assert not result.readable


def test_refuses_zip_bomb_by_total_uncompressed_size(monkeypatch):
    monkeypatch.setattr(readers, "ZIP_LIMITS", ZipLimits(max_total=4096))
    assert refusal(check(xlsx_bytes(GOOD))) == "zip_bomb"


def test_refuses_zip_with_too_many_entries(monkeypatch):
    monkeypatch.setattr(readers, "ZIP_LIMITS", ZipLimits(max_entries=5))
    assert refusal(check(xlsx_bytes(GOOD))) == "zip_bomb"


def test_refuses_zip_entry_larger_than_declared():
    # A part whose directory entry understates its size is caught by the size/CRC check
    # before calamine (which might trust the data) reads it.
    data = zip_patch_central(xlsx_bytes(GOOD), "xl/worksheets/sheet1.xml", size=100)
    assert refusal(check(data)) == "zip_bomb"


def test_refuses_csv_in_an_unknown_encoding():
    data = "身份证号码".encode()[:-1] + b"\xff\xfe\xfd,\x81\x30"
    assert refusal(check(data)) == "encoding"


# --- tolerances ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["add_good_utf8_bom.csv", "add_good_gbk.csv", "add_good.xlsx"])
def test_committed_good_samples_validate(sample):
    result = check(read(sample))
    assert result.ok, result.errors
    assert result.rows == 5
    assert [r.name for r in result.records] == ["张一", "张二", "张三", "张四", "张五"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_reads_csv_in_chinese_excel_encodings(encoding):
    data = csv_bytes(GOOD, encoding=encoding)
    if encoding == "utf-16":  # Excel's "Unicode text": tab-separated UTF-16
        data = "\n".join("\t".join(map(str, row)) for row in GOOD).encode("utf-16")
    result = check(data, filename="upload.csv")
    assert result.ok, result.errors
    assert [r.name for r in result.records] == ["张一", "张二"]


def test_the_content_decides_not_the_name():
    assert check(xlsx_bytes(GOOD), filename="upload.csv").ok
    assert check(csv_bytes(GOOD), filename="upload.xlsx").ok


def test_header_names_tolerate_spaces_and_asterisks():
    header = [" 身份证号码 *", "姓名＊", "\u3000户口性质", "增员 原因", "起始年月*", "月缴费工资",
              "联系电话"]
    assert check(csv_bytes([header, add_row(1)])).ok


def test_extra_columns_are_ignored_with_a_warning():
    result = check(csv_bytes([[*HEADERS["add"], "备注"], [*add_row(1), "老员工"]]))
    assert result.ok
    assert [(w.row, w.column, w.code) for w in result.warnings] == [(1, "备注", "extra_column")]


def test_missing_column_is_a_file_error():
    header = [h for h in HEADERS["add"] if h != "联系电话"]
    result = check(csv_bytes([header, add_row(1)[:-1]]))
    assert codes(result) == [(None, "联系电话", "missing_column")]
    assert result.readable


def test_missing_columns_of_another_kind_say_which_kind_it_looks_like():
    result = check(csv_bytes([HEADERS["wage"], wage_row(1)]), "remove")
    assert {e.code for e in result.errors} == {"missing_column"}
    assert "缴费工资文件" in result.errors[0].message


def test_duplicate_column_is_a_file_error():
    result = check(csv_bytes([[*HEADERS["add"], "姓名"], [*add_row(1), "张二"]]))
    assert (None, "姓名", "duplicate_column") in codes(result)


def test_header_without_data_is_a_file_error():
    assert codes(check(csv_bytes([HEADERS["add"]]))) == [(None, "", "no_data")]


def test_trailing_empty_rows_are_ignored():
    trailing = [[""] * 7] * 200_000  # beyond the row limit: blank rows do not count
    result = check(csv_bytes([*GOOD, *trailing]))
    assert result.ok, result.errors[:3]
    assert result.rows == 2


def test_trailing_formatted_rows_of_a_workbook_are_ignored():
    result = check(xlsx_bytes([*GOOD, [None] * 7, ["", " ", "\u3000"]]))
    assert result.ok
    assert result.rows == 2


def test_blank_rows_between_data_are_skipped_with_a_warning():
    result = check(csv_bytes([HEADERS["add"], add_row(1), [], ["", ""], add_row(2)]))
    assert result.ok
    assert [r.row for r in result.records] == [2, 5]
    assert [(w.row, w.code) for w in result.warnings] == [(3, "blank_rows")]


def test_digest_identifies_the_content():
    a, b = check(csv_bytes(GOOD)), check(csv_bytes(GOOD), filename="other.csv")
    assert a.digest == b.digest and len(a.digest) == 64
    assert check(csv_bytes([*GOOD, add_row(3)])).digest != a.digest
