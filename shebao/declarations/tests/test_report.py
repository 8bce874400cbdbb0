"""errors_workbook: the file back with exactly the bad cells marked."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from shebao.declarations.batchfiles import errors_workbook
from shebao.lib.spreadsheets import RED_FILL

from .samples import HEADERS, add_row, check, csv_bytes, read, xlsx_bytes

RED = RED_FILL.fgColor.rgb


def report(data, kind="add", filename="upload.csv"):
    result = check(data, kind, filename=filename)
    book = load_workbook(io.BytesIO(errors_workbook(data, filename, result)))
    return result, book


def red_cells(ws):
    return {(c.row, c.column) for row in ws.iter_rows() for c in row
            if c.fill is not None and c.fill.fgColor.rgb == RED}


def expected_cells(result):
    return {(e.row, result.columns[e.column] + 1) for e in result.errors if e.row is not None}


def test_marks_exactly_the_error_cells_with_their_messages():
    result, book = report(read("add_bad.csv"))
    assert book.sheetnames == ["错误说明", "数据"]
    data = book["数据"]
    assert red_cells(data) == expected_cells(result)
    assert len(expected_cells(result)) == 7
    for e in result.errors:
        cell = data.cell(row=e.row, column=result.columns[e.column] + 1)
        assert e.message in cell.comment.text
    # The cells are as uploaded, so they can be corrected in place.
    assert [c.value for c in data[1]] == HEADERS["add"]
    assert data["A2"].value == "110105198506150013"


def test_several_errors_in_one_cell_share_one_comment():
    rows = [HEADERS["add"], add_row(1, 起始年月="202401", 身份证号码="x")]
    _, book = report(csv_bytes(rows))
    assert len(red_cells(book["数据"])) == 2


def test_summary_sheet_lists_every_error_file_errors_first():
    rows = [[*HEADERS["add"], "姓名"], [*add_row(1, 联系电话="1"), "张一"]]
    result, book = report(csv_bytes(rows))
    summary = [[c.value for c in row] for row in book["错误说明"].iter_rows()]
    assert summary[0] == ["行号", "列名", "填写的值", "错误代码", "说明"]
    assert summary[1][0] == "整个文件" and summary[1][3] == "duplicate_column"
    assert [r[3] for r in summary[1:]] == [e.code for e in result.errors]


def test_workbook_input_keeps_its_sheet_name_and_numbers():
    data = xlsx_bytes([HEADERS["add"], add_row(1, 月缴费工资=-5.0)], title="七月增员")
    _, book = report(data, filename="upload.xlsx")
    assert book.sheetnames == ["错误说明", "七月增员"]
    assert red_cells(book["七月增员"]) == {(2, 6)}
    assert book["七月增员"]["F2"].value == -5


def test_unreadable_file_gets_only_the_summary():
    _, book = report(read("old_format.xls"), filename="old.xls")
    assert book.sheetnames == ["错误说明"]
    assert book["错误说明"]["D2"].value == "xls_format"


def test_valid_file_report_says_so():
    _, book = report(csv_bytes([HEADERS["add"], add_row(1)]))
    assert red_cells(book["数据"]) == set()
    assert "校验通过" in book["错误说明"]["E2"].value


def test_uploaded_text_that_looks_like_a_formula_stays_text():
    rows = [HEADERS["add"], add_row(1, 姓名='=HYPERLINK("http://x","点我")')]
    _, book = report(csv_bytes(rows))
    cell = book["数据"]["B2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")
