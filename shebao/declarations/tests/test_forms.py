"""Blank forms (表样下载): what Excel shows, and that a filled-in form validates."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shebao.declarations.batchfiles import KINDS, blank_form_csv, blank_form_xlsx

from .samples import HEADERS, add_row, backpay_row, check, codes, remove_row, wage_row

ROW = {"add": add_row, "remove": remove_row, "wage": wage_row, "backpay": backpay_row}
TEXT_COLUMNS = {"身份证号码", "起始年月", "终止年月", "联系电话"}
DROPDOWNS = {"户口性质": "城镇,农村", "增员原因": "新参保,转入,续保",
             "减员原因": "转出,解除劳动合同,终止劳动合同,退休,死亡,其他"}


def open_form(kind):
    return load_workbook(io.BytesIO(blank_form_xlsx(kind)))


@pytest.mark.parametrize("kind", list(KINDS))
def test_form_has_the_exact_bold_frozen_header(kind):
    book = open_form(kind)
    assert book.sheetnames == [KINDS[kind].label, "填表说明"]
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == HEADERS[kind]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no sample data to delete by hand


@pytest.mark.parametrize("kind", list(KINDS))
def test_form_keeps_ids_and_months_as_text_and_sets_widths(kind):
    ws = open_form(kind).worksheets[0]
    for index, header in enumerate(HEADERS[kind]):
        dim = ws.column_dimensions[chr(ord("A") + index)]
        assert (dim.number_format == "@") == (header in TEXT_COLUMNS), header
        assert dim.width >= 10


@pytest.mark.parametrize("kind", list(KINDS))
def test_form_offers_dropdowns_for_coded_columns(kind):
    ws = open_form(kind).worksheets[0]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        column = str(dv.sqref).split(":")[0].rstrip("0123456789")
        lists[HEADERS[kind][ord(column) - ord("A")]] = dv.formula1.strip('"')
        assert str(dv.sqref).startswith(f"{column}2:")
    assert lists == {h: v for h, v in DROPDOWNS.items() if h in HEADERS[kind]}


@pytest.mark.parametrize("kind", list(KINDS))
def test_notes_sheet_explains_every_column(kind):
    notes = open_form(kind)["填表说明"]
    rows = [[c.value for c in row] for row in notes.iter_rows()]
    assert rows[0] == ["列名", "是否必填", "填写说明", "示例"]
    assert [r[0] for r in rows[1:len(HEADERS[kind]) + 1]] == HEADERS[kind]
    assert all(r[2] and r[3] for r in rows[1:len(HEADERS[kind]) + 1])
    text = "".join(str(r[2]) for r in rows)
    assert "文本格式" in text and "公式" in text and "100,000" in text


@pytest.mark.parametrize("kind", list(KINDS))
def test_filled_in_form_validates(kind):
    book = open_form(kind)
    ws = book.worksheets[0]
    ws.append(ROW[kind](1))
    ws.append(ROW[kind](2))
    out = io.BytesIO()
    book.save(out)
    result = check(out.getvalue(), kind)
    assert result.ok, result.errors
    assert result.rows == 2


@pytest.mark.parametrize("kind", list(KINDS))
def test_csv_form_is_the_header_with_a_bom(kind):
    data = blank_form_csv(kind)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == ",".join(HEADERS[kind]) + "\r\n"
    assert codes(check(data, kind)) == [(None, "", "no_data")]  # recognised, but empty


def test_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        blank_form_csv("transfer")
