"""Registry rules of a file declared by one unit (--unit), and their query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shebao.declarations.tests.helpers import make_billed
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_unit
from shebao.tests.helpers import make_person as _make_person

from .samples import (
    HEADERS,
    add_row,
    backpay_row,
    check,
    codes,
    csv_bytes,
    given,
    remove_row,
    wage_row,
)

pytestmark = pytest.mark.django_db
M = Month
_names = iter(range(1, 10**6))


def make_person(**fields):
    """shebao.tests.helpers' person with a name the name rule accepts (no digits)."""
    fields.setdefault("name", f"陈{given(next(_names))}")
    return _make_person(**fields)


@pytest.fixture
def unit():
    return make_unit()


@pytest.fixture
def other():
    return make_unit()


def file(kind, *rows):
    return csv_bytes([HEADERS[kind], *rows])


def person_row(kind, person, **change):
    build = {"add": add_row, "remove": remove_row, "wage": wage_row, "backpay": backpay_row}
    values = {"身份证号码": person.id_number, "姓名": person.name, **change}
    return build[kind](1, **values)


# --- 增员 ------------------------------------------------------------------------------


def test_add_new_person_passes(unit):
    result = check(file("add", add_row(1)), unit=unit)
    assert result.ok, result.errors


def test_add_refuses_person_already_enrolled_here(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2020, 1))
    result = check(file("add", person_row("add", person)), unit=unit)
    assert codes(result) == [(2, "身份证号码", "already_enrolled")]
    assert "2020年01月" in result.errors[0].message


def test_add_refuses_person_enrolled_elsewhere_without_naming_the_unit(unit, other):
    person = make_person()
    make_enrolment(person, other, first=M(2020, 1))
    result = check(file("add", person_row("add", person, 增员原因="转入")), unit=unit)
    assert codes(result) == [(2, "身份证号码", "enrolled_elsewhere")]
    assert other.name not in result.errors[0].message
    assert other.number not in result.errors[0].message


def test_add_refuses_name_that_differs_from_the_registry(unit):
    person = make_person(name="王小明")
    result = check(file("add", person_row("add", person, 姓名="王晓明")), unit=unit)
    assert codes(result) == [(2, "姓名", "name_mismatch")]


def test_resumption_needs_a_past_enrolment(unit, other):
    known = make_person()
    rows = [add_row(1, 增员原因="续保"), person_row("add", known, 增员原因="续保")]
    result = check(file("add", *rows), unit=unit)
    assert codes(result) == [(2, "增员原因", "resume_without_history"),
                             (3, "增员原因", "resume_without_history")]


def test_resumption_after_an_ended_enrolment_passes(unit, other):
    person = make_person()
    make_enrolment(person, other, first=M(2018, 1), last=M(2024, 12))
    result = check(file("add", person_row("add", person, 增员原因="续保")), unit=unit)
    assert result.ok, result.errors
    assert result.warnings == []


def test_new_enrolment_of_someone_enrolled_before_is_a_warning(unit, other):
    person = make_person()
    make_enrolment(person, other, first=M(2018, 1), last=M(2024, 12))
    result = check(file("add", person_row("add", person, 增员原因="新参保")), unit=unit)
    assert result.ok
    assert [(w.column, w.code) for w in result.warnings] == [("增员原因", "reason_mismatch")]


def test_add_refuses_start_inside_a_previous_enrolment(unit, other):
    person = make_person()
    # Removed elsewhere with a last month still ahead (declared before the cut-off).
    make_enrolment(person, other, first=M(2018, 1), last=M(2025, 8))
    result = check(file("add", person_row("add", person, 增员原因="转入")), unit=unit)
    assert codes(result) == [(2, "起始年月", "period_overlap")]


def test_hukou_differing_from_the_registry_is_a_warning(unit):
    person = make_person(hukou="rural")
    result = check(file("add", person_row("add", person, 户口性质="城镇")), unit=unit)
    assert result.ok
    assert [w.code for w in result.warnings] == ["hukou_differs"]


# --- 减员 ------------------------------------------------------------------------------


def test_remove_person_enrolled_here_passes(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2020, 1))
    result = check(file("remove", person_row("remove", person)), "remove", unit=unit)
    assert result.ok, result.errors


def test_remove_refuses_unknown_person(unit):
    assert codes(check(file("remove", remove_row(1)), "remove", unit=unit)) == [
        (2, "身份证号码", "person_unknown")]


def test_remove_refuses_person_not_enrolled_here(unit, other):
    elsewhere, ended = make_person(), make_person()
    make_enrolment(elsewhere, other, first=M(2020, 1))
    make_enrolment(ended, unit, first=M(2020, 1), last=M(2024, 6))
    rows = [person_row("remove", elsewhere), person_row("remove", ended)]
    assert codes(check(file("remove", *rows), "remove", unit=unit)) == [
        (2, "身份证号码", "not_enrolled_here"), (3, "身份证号码", "not_enrolled_here")]


def test_remove_refuses_end_before_the_start(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2025, 9))  # an 增员 declared ahead
    result = check(file("remove", person_row("remove", person, 终止年月="202508")), "remove",
                   unit=unit)
    assert codes(result) == [(2, "终止年月", "month_before_start")]


def test_remove_refuses_name_mismatch(unit):
    person = make_person(name="李四")
    make_enrolment(person, unit, first=M(2020, 1))
    result = check(file("remove", person_row("remove", person, 姓名="李思")), "remove", unit=unit)
    assert codes(result) == [(2, "姓名", "name_mismatch")]


# --- 缴费工资 ----------------------------------------------------------------------------


def test_wage_for_a_person_enrolled_in_the_policy_year_passes(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2024, 3))
    assert check(file("wage", person_row("wage", person)), "wage", unit=unit).ok


def test_wage_refuses_person_not_enrolled_here_in_the_policy_year(unit, other):
    left, elsewhere = make_person(), make_person()
    make_enrolment(left, unit, first=M(2020, 1), last=M(2025, 6))  # left before 2025-07
    make_enrolment(elsewhere, other, first=M(2020, 1))
    rows = [person_row("wage", left), person_row("wage", elsewhere)]
    result = check(file("wage", *rows), "wage", unit=unit)
    assert codes(result) == [(2, "身份证号码", "not_enrolled_in_year"),
                             (3, "身份证号码", "not_enrolled_in_year")]
    assert "2025 缴费年度" in result.errors[0].message


# --- 补缴 ------------------------------------------------------------------------------


def test_backpay_for_a_former_employee_passes(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2023, 1), last=M(2024, 12))
    assert check(file("backpay", person_row("backpay", person)), "backpay", unit=unit).ok


def test_backpay_refuses_person_never_enrolled_here(unit, other):
    person = make_person()
    make_enrolment(person, other, first=M(2023, 1))
    result = check(file("backpay", person_row("backpay", person)), "backpay", unit=unit)
    assert codes(result) == [(2, "身份证号码", "never_enrolled_here")]


@pytest.mark.parametrize("kind", ["regular", "difference", "backpay"])
def test_backpay_refuses_months_already_billed_to_this_unit(unit, kind):
    person = make_person()
    make_enrolment(person, unit, first=M(2023, 1))
    make_billed(person, unit, M(2024, 1), M(2024, 2), kind=kind, bill_month=M(2024, 6))
    result = check(file("backpay", person_row("backpay", person)), "backpay", unit=unit)
    assert codes(result) == [(2, "起始年月", "month_already_billed")]
    assert result.errors[0].message.startswith("2024年01月至2024年02月 已核定缴费，不能重复补缴")
    assert result.errors[0].value == "202401"


def test_backpay_of_months_billed_elsewhere_or_outside_the_period_passes(unit, other):
    person = make_person()
    make_enrolment(person, unit, first=M(2023, 1))
    make_billed(person, other, M(2024, 1))  # another unit's bill is not this unit's
    make_billed(person, unit, M(2023, 12), M(2024, 4))  # either side of 2024-01…03
    assert check(file("backpay", person_row("backpay", person)), "backpay", unit=unit).ok


def test_a_month_whose_rows_were_fully_reversed_is_not_billed(unit):
    person = make_person()
    make_enrolment(person, unit, first=M(2023, 1))
    make_billed(person, unit, M(2024, 2))
    from shebao.contributions.columns import COLUMNS
    from shebao.contributions.models import Contribution

    Contribution.objects.bulk_create([
        Contribution(unit=unit, person=person, month=202402, bill_month=202406,
                     kind="difference", **{col: -getattr(c, col) for col in COLUMNS
                                           if getattr(c, col) is not None})
        for c in Contribution.objects.filter(person=person)])
    assert check(file("backpay", person_row("backpay", person)), "backpay", unit=unit).ok


def test_each_row_is_checked_against_its_own_period(unit):
    person, other_person = make_person(), make_person()
    for p in (person, other_person):
        make_enrolment(p, unit, first=M(2023, 1))
    make_billed(person, unit, M(2024, 3), M(2024, 4), M(2024, 5), M(2024, 9))
    rows = [person_row("backpay", person, 起始年月="202401", 终止年月="202402"),
            person_row("backpay", person, 起始年月="202404", 终止年月="202412"),
            person_row("backpay", other_person, 起始年月="202404", 终止年月="202405")]
    result = check(file("backpay", *rows), "backpay", unit=unit)
    assert codes(result) == [(3, "起始年月", "month_already_billed")]
    assert result.errors[0].message.startswith("2024年04月至2024年05月、2024年09月 已核定")


# --- set-based: the query count does not grow with the rows -------------------------------


def _queries(kind, rows, unit):
    with CaptureQueriesContext(connection) as ctx:
        check(file(kind, *rows), kind, unit=unit)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["add", "remove", "wage", "backpay"])
def test_registry_queries_are_constant_in_the_number_of_rows(kind, unit,
                                                             django_assert_max_num_queries):
    people = [make_person() for _ in range(30)]
    for p in people:
        make_enrolment(p, unit, first=M(2020, 1), last=M(2024, 12) if kind == "add" else None)
    build = {"add": add_row, "remove": remove_row, "wage": wage_row, "backpay": backpay_row}
    rows = [build[kind](i, 身份证号码=p.id_number, 姓名=p.name) for i, p in enumerate(people)]
    _queries(kind, rows[:1], unit)  # loads the policy table cache once
    few = _queries(kind, rows[:3], unit)
    assert _queries(kind, rows, unit) == few
    if kind == "backpay":  # some months billed: the refusals cost no more queries
        make_billed(people[0], unit, M(2024, 1))
        make_billed(people[-1], unit, M(2024, 2))
        assert _queries(kind, rows, unit) == few
    with django_assert_max_num_queries(4):  # persons, enrolments, the policy year table
        # (wage) or the months already billed (backpay)
        check(file(kind, *rows), kind, unit=unit)
