"""Rules without the registry: the declaration calendar, retirement age, duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from shebao.declarations.batchfiles.rules import retirement_month
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
)

D = dt.date


def add_file(*rows):
    return csv_bytes([HEADERS["add"], *rows])


# --- 增员/减员 effective month: the cut-off day ------------------------------------------


@pytest.mark.parametrize(("as_of", "month", "code"), [
    (D(2025, 7, 1), "202507", None),
    (D(2025, 7, 25), "202507", None),  # on the cut-off day: still this month
    (D(2025, 7, 26), "202507", "month_too_early"),  # after it: next month at the earliest
    (D(2025, 7, 26), "202508", None),
    (D(2025, 7, 10), "202506", "month_too_early"),
    (D(2025, 7, 10), "202510", None),  # three months ahead
    (D(2025, 7, 10), "202511", "month_too_late"),
    (D(2025, 12, 31), "202601", None),  # across the year
])
def test_add_start_month_follows_the_cut_off_day(as_of, month, code):
    result = check(add_file(add_row(1, 起始年月=month)), as_of=as_of)
    assert codes(result) == ([] if code is None else [(2, "起始年月", code)])


def test_too_early_message_explains_the_cut_off_rule():
    result = check(add_file(add_row(1, 起始年月="202507")), as_of=D(2025, 7, 26))
    message = result.errors[0].message
    assert "2025年08月" in message and "25 日" in message and "补缴" in message


@override_settings(DECLARATION_CUTOFF_DAY=10)
def test_cut_off_day_is_a_setting():
    assert not check(add_file(add_row(1)), as_of=D(2025, 7, 11)).ok
    assert check(add_file(add_row(1)), as_of=D(2025, 7, 10)).ok


@pytest.mark.parametrize(("as_of", "month", "code"), [
    (D(2025, 7, 25), "202507", None),
    (D(2025, 7, 26), "202507", "month_too_early"),
    (D(2025, 7, 10), "202501", "month_too_early"),
    (D(2025, 7, 10), "202511", "month_too_late"),
])
def test_remove_end_month_follows_the_cut_off_day(as_of, month, code):
    result = check(csv_bytes([HEADERS["remove"], remove_row(1, 终止年月=month)]), "remove",
                   as_of=as_of)
    assert codes(result) == ([] if code is None else [(2, "终止年月", code)])


# --- 补缴 months ------------------------------------------------------------------------


def test_committed_backpay_samples():
    assert check(read("backpay_good.csv"), "backpay").ok
    assert codes(check(read("backpay_bad.csv"), "backpay")) == [
        (2, "起始年月", "month_too_early"),
        (3, "终止年月", "month_order"),
        (4, "终止年月", "month_too_late"),
        (5, "补缴原因", "required"),
    ]


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("200411", "200412", []),
    ("200410", "200412", [(2, "起始年月", "month_too_early")]),
    ("202506", "202506", []),  # last month: the latest that can be back-paid
    ("202506", "202507", [(2, "终止年月", "month_too_late")]),  # the current month
    ("202508", "202509", [(2, "起始年月", "month_too_late"), (2, "终止年月", "month_too_late")]),
    ("202405", "202401", [(2, "终止年月", "month_order")]),
])
def test_backpay_months(start, end, expected):
    row = backpay_row(1, 起始年月=start, 终止年月=end)
    assert codes(check(csv_bytes([HEADERS["backpay"], row]), "backpay")) == expected


# --- retirement age ---------------------------------------------------------------------


@pytest.mark.parametrize(("birth", "male", "reached"), [
    (D(1960, 5, 1), True, Month(2020, 5)),  # 60, before the 2025 reform
    (D(1964, 12, 31), True, Month(2024, 12)),
    (D(1965, 1, 1), True, Month(2025, 2)),  # 60 and 1 month
    (D(1965, 6, 15), True, Month(2025, 8)),  # 60 and 2 months
    (D(1980, 1, 1), True, Month(2043, 1)),  # 63: the ceiling
    (D(1969, 12, 1), False, Month(2024, 12)),  # 55
    (D(1970, 3, 1), False, Month(2025, 4)),  # 55 and 1 month
    (D(1990, 1, 1), False, Month(2048, 1)),  # 58
])
def test_retirement_month(birth, male, reached):
    assert retirement_month(person_id(3, birth=birth, male=male))[0] == reached


@pytest.mark.parametrize(("birth", "male", "refused"), [
    (D(1960, 5, 1), True, True),
    (D(1965, 6, 15), True, False),  # reaches 60y2m in 2025-08: July is still allowed
    (D(1965, 4, 30), True, True),  # 60y1m in 2025-05
    (D(1970, 3, 1), False, True),  # [decision] 55 for every woman, plus the reform
    (D(1974, 1, 1), False, False),
])
def test_add_refuses_people_at_retirement_age(birth, male, refused):
    row = add_row(1, 身份证号码=person_id(1, birth=birth, male=male))
    result = check(add_file(row))
    assert codes(result) == ([(2, "起始年月", "retirement_age")] if refused else [])
    if refused:
        assert "法定退休年龄" in result.errors[0].message


# --- duplicates ------------------------------------------------------------------------


def test_same_person_twice_is_an_error_on_the_repeat():
    same = person_id(5)
    rows = [add_row(1, 身份证号码=same), add_row(2), add_row(3, 身份证号码=same.lower())]
    result = check(add_file(*rows))
    assert codes(result) == [(4, "身份证号码", "duplicate_in_file")]
    assert "第 2 行" in result.errors[0].message


def test_same_person_via_legacy_and_new_id_is_a_duplicate():
    new = person_id(1)
    legacy = new[:6] + new[8:17]  # the 15-digit form: no century, no check char
    rows = [wage_row(1), wage_row(1, 身份证号码=legacy)]
    assert codes(check(csv_bytes([HEADERS["wage"], *rows]), "wage")) == [
        (3, "身份证号码", "duplicate_in_file")]


def test_backpay_periods_of_one_person_may_not_overlap():
    rows = [backpay_row(1, 起始年月="202401", 终止年月="202403"),
            backpay_row(1, 起始年月="202404", 终止年月="202406"),
            backpay_row(1, 起始年月="202406", 终止年月="202407")]
    result = check(csv_bytes([HEADERS["backpay"], *rows]), "backpay")
    assert codes(result) == [(4, "身份证号码", "duplicate_in_file")]
    assert "第 3 行" in result.errors[0].message


# --- clean records ------------------------------------------------------------------------


def test_records_carry_clean_values():
    add = check(add_file(add_row(1, 户口性质="农村", 增员原因="转入"))).records[0]
    assert (add.row, add.hukou, add.reason, add.start, add.wage) == (
        2, "rural", "transfer_in", Month(2025, 7), 1_200_000)
    remove = check(csv_bytes([HEADERS["remove"], remove_row(1, 减员原因="退休")]), "remove")
    assert (remove.records[0].reason, remove.records[0].end) == ("retired", Month(2025, 7))
    backpay = check(csv_bytes([HEADERS["backpay"], backpay_row(1)]), "backpay").records[0]
    assert (backpay.start, backpay.end, backpay.wage, backpay.reason) == (
        Month(2024, 1), Month(2024, 3), 800_000, "入职当月漏报")


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind"):
        check(add_file(add_row(1)), "transfer")
