"""Column errors, one by one, and the values people type that must be accepted."""

from __future__ import annotations

import datetime as dt

import pytest

from shebao.lib.periods import Month

from .samples import (
    HEADERS,
    add_row,
    backpay_row,
    check,
    codes,
    csv_bytes,
    person_id,
    read,
    remove_row,
    wage_row,
    xlsx_bytes,
)

ROW = {"add": add_row, "remove": remove_row, "wage": wage_row, "backpay": backpay_row}


@pytest.mark.parametrize(("kind", "change", "column", "code"), [
    ("add", {"身份证号码": ""}, "身份证号码", "required"),
    ("add", {"身份证号码": "11010519850615003"}, "身份证号码", "id_format"),  # 17 digits
    ("add", {"身份证号码": "1101051985061500A0"}, "身份证号码", "id_format"),
    ("add", {"身份证号码": "11010519850615003A"}, "身份证号码", "id_check"),
    ("add", {"身份证号码": "990105198506150030"}, "身份证号码", "id_format"),  # no province 99
    ("add", {"身份证号码": "110105198502300030"}, "身份证号码", "id_format"),  # 30 February
    ("add", {"身份证号码": "110105198506150031"}, "身份证号码", "id_check"),
    ("add", {"身份证号码": "1.10105E+17"}, "身份证号码", "id_numeric"),
    ("add", {"姓名": ""}, "姓名", "required"),
    ("add", {"姓名": "张" * 51}, "姓名", "name_length"),
    ("add", {"姓名": "张3"}, "姓名", "name_chars"),
    ("add", {"姓名": "·张三"}, "姓名", "name_chars"),
    ("add", {"户口性质": "农民"}, "户口性质", "choice"),
    ("add", {"户口性质": ""}, "户口性质", "required"),
    ("add", {"增员原因": "调入"}, "增员原因", "choice"),
    ("remove", {"减员原因": "辞职"}, "减员原因", "choice"),
    ("add", {"起始年月": "2025-13"}, "起始年月", "month_format"),
    ("add", {"起始年月": "25年7月"}, "起始年月", "month_format"),
    ("add", {"起始年月": ""}, "起始年月", "required"),
    ("add", {"起始年月": "2025.1"}, "起始年月", "month_format"),  # 2025.10 from a number cell
    ("remove", {"终止年月": "2025/7/1"}, "终止年月", "month_format"),
    ("add", {"月缴费工资": "一万"}, "月缴费工资", "wage_format"),
    ("add", {"月缴费工资": "12000.005"}, "月缴费工资", "wage_format"),
    ("add", {"月缴费工资": "1,20"}, "月缴费工资", "wage_format"),
    ("add", {"月缴费工资": "0"}, "月缴费工资", "wage_range"),
    ("add", {"月缴费工资": "-100"}, "月缴费工资", "wage_range"),
    ("add", {"月缴费工资": "1000000.01"}, "月缴费工资", "wage_range"),
    ("wage", {"月缴费工资": ""}, "月缴费工资", "required"),
    ("add", {"联系电话": "12345"}, "联系电话", "phone_format"),
    ("add", {"联系电话": "12800138000"}, "联系电话", "phone_format"),  # no 12x mobiles
    ("add", {"联系电话": "62345678"}, "联系电话", "phone_format"),  # no area code
    ("add", {"联系电话": ""}, "联系电话", "required"),
    ("backpay", {"补缴原因": ""}, "补缴原因", "required"),
    ("backpay", {"补缴原因": "漏" * 201}, "补缴原因", "text_length"),
])
def test_column_errors(kind, change, column, code):
    result = check(csv_bytes([HEADERS[kind], ROW[kind](1, **change)]), kind)
    assert codes(result) == [(2, column, code)]
    error = result.errors[0]
    assert error.value == next(iter(change.values())).strip()
    assert error.message and not error.message.isascii()


def test_committed_bad_sample_reports_every_error_at_once():
    result = check(read("add_bad.csv"))
    assert codes(result) == [
        (2, "身份证号码", "id_check"),
        (3, "姓名", "required"),
        (3, "户口性质", "choice"),
        (4, "起始年月", "month_format"),
        (4, "月缴费工资", "wage_format"),
        (5, "联系电话", "phone_format"),
        (6, "身份证号码", "duplicate_in_file"),
    ]
    assert result.records == []
    assert result.rows == 5


def test_full_width_digits_spaces_and_thousands_separators_are_accepted():
    row = add_row(1, 身份证号码=" １１０１０５１９８５０６１５００３０ ", 姓名=" 张　三 ",
                  起始年月="２０２５－０７", 月缴费工资="１２，０００．５０",
                  联系电话="138 0013 8000")
    result = check(csv_bytes([HEADERS["add"], row]))
    assert result.ok, result.errors
    record = result.records[0]
    assert (record.id_number, record.name, record.start, record.wage, record.phone) == (
        "110105198506150030", "张三", Month(2025, 7), 1_200_050, "13800138000")


@pytest.mark.parametrize(("typed", "wage"), [
    ("12,000", 1_200_000), ("234,567.8", 23_456_780), ("¥8000", 800_000), ("8000元", 800_000),
])
def test_amounts_as_typed(typed, wage):
    result = check(csv_bytes([HEADERS["wage"], wage_row(1, 月缴费工资=typed)]), "wage")
    assert result.records[0].wage == wage


def test_legacy_15_digit_id_is_stored_as_18_digits():
    result = check(csv_bytes([HEADERS["wage"], wage_row(1, 身份证号码="110105850615003")]), "wage")
    assert result.records[0].id_number == "110105198506150030"


def test_lower_case_x_check_char():
    n = next(n for n in range(100) if person_id(n).endswith("X"))
    upper = person_id(n)
    result = check(csv_bytes([HEADERS["wage"], wage_row(n, 身份证号码=upper.lower())]), "wage")
    assert result.records[0].id_number == upper


@pytest.mark.parametrize(("typed", "name"), [
    ("张  三", "张三"), ("阿卜杜拉•买买提", "阿卜杜拉·买买提"),
    ("阿卜杜拉.买买提", "阿卜杜拉·买买提"),
    ("John Smith", "John Smith"), ("ＪＯＨＮ", "JOHN"), ("𠀀明", "𠀀明"),
])
def test_names_as_typed(typed, name):
    result = check(csv_bytes([HEADERS["wage"], wage_row(1, 姓名=typed)]), "wage")
    assert result.ok, result.errors
    assert result.records[0].name == name


@pytest.mark.parametrize("phone", ["010-62345678", "01062345678", "0755-12345678",
                                   "010-62345678-123", "+86 13800138000"])
def test_phone_numbers_accepted(phone):
    assert check(csv_bytes([HEADERS["add"], add_row(1, 联系电话=phone)])).ok


# --- numeric cells from Excel ----------------------------------------------------------


def test_excel_numbers_are_converted_exactly():
    row = add_row(1, 起始年月=202507, 月缴费工资=12000.0, 联系电话=13800138000)
    row2 = add_row(2, 起始年月=202507.0, 月缴费工资=8500.1)
    row3 = add_row(3, 起始年月=dt.datetime(2025, 7, 1), 月缴费工资=0.01)
    result = check(xlsx_bytes([HEADERS["add"], row, row2, row3]))
    assert result.ok, result.errors
    assert [(r.start, r.wage) for r in result.records] == [
        (Month(2025, 7), 1_200_000), (Month(2025, 7), 850_010), (Month(2025, 7), 1)]
    assert result.records[0].phone == "13800138000"


def test_legacy_id_typed_as_a_number_is_accepted():
    result = check(xlsx_bytes([HEADERS["wage"], wage_row(1, 身份证号码=110105850615003)]), "wage")
    assert result.records[0].id_number == "110105198506150030"


def test_id_that_excel_turned_into_a_number_is_refused_with_advice():
    row = wage_row(1, 身份证号码=110105198506150030)
    result = check(xlsx_bytes([HEADERS["wage"], row]), "wage")
    assert codes(result) == [(2, "身份证号码", "id_numeric")]
    assert result.errors[0].value == "1.1010519850615E+17"
    assert "文本" in result.errors[0].message


def test_month_stored_as_a_decimal_number_is_refused():
    # 2025.10 typed into a number cell is stored as 2025.1: October or January?
    result = check(xlsx_bytes([HEADERS["add"], add_row(1, 起始年月=2025.1)]))
    assert codes(result) == [(2, "起始年月", "month_format")]
    assert "文本格式" in result.errors[0].message


def test_wage_with_fractions_of_a_fen_is_refused_not_rounded():
    result = check(xlsx_bytes([HEADERS["wage"], wage_row(1, 月缴费工资=9800.555)]), "wage")
    assert codes(result) == [(2, "月缴费工资", "wage_format")]


def test_landline_typed_as_a_number_lost_its_zero():
    result = check(xlsx_bytes([HEADERS["add"], add_row(1, 联系电话=1062345678)]))
    assert codes(result) == [(2, "联系电话", "phone_format")]
    assert "文本格式" in result.errors[0].message
