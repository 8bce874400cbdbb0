"""The query selectors: what each lists for a unit, with the unit's scope, the filters,
totals equal to the sum of the rows, and a fixed number of queries whatever the size."""

from __future__ import annotations

import pytest
from django.http import Http404

from shebao.declarations.models import Declaration, DeclarationKind, DeclarationLine, Status
from shebao.declarations.wagebases import bases_for, year_limits
from shebao.lib.periods import Month
from shebao.reports.filters import FilterError, Filters, filters_read
from shebao.reports.queries import QUERIES
from shebao.reports.scope import unit_person
from shebao.tests.helpers import make_enrolment, make_person, make_unit

from .helpers import TODAY, YEAR, staff_of

pytestmark = pytest.mark.django_db


def rows_of(kind, unit, **filters):
    listing = QUERIES[kind].select(unit, Filters(today=TODAY, **filters))
    return listing, list(listing.iterate())


def test_people_lists_current_and_former_with_their_enrolments():
    unit = make_unit()
    staff = staff_of(unit)
    _, rows = rows_of("people", unit)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"王现职", "李离职", "赵新人"}
    assert by_name["王现职"]["status"] == "在职"
    assert by_name["王现职"]["pension"] == "参保中（2019-03起）"
    assert by_name["李离职"]["status"] == "已减员"
    assert by_name["李离职"]["medical"] == "已停保（2010-01至2023-06，解除劳动合同）"
    assert by_name["赵新人"]["first"] == 202409
    assert by_name["王现职"]["id_number"] == staff.current.id_number


def test_people_filters_by_status_and_by_name_or_id_number():
    unit = make_unit()
    staff = staff_of(unit)
    assert [r["name"] for r in rows_of("people", unit, status="former")[1]] == ["李离职"]
    assert {r["name"] for r in rows_of("people", unit, status="current")[1]} == {
        "王现职", "赵新人"}
    assert [r["name"] for r in rows_of("people", unit, person="现职")[1]] == ["王现职"]
    prefix = staff.newcomer.id_number
    assert [r["name"] for r in rows_of("people", unit, person=prefix)[1]] == ["赵新人"]


def test_no_query_reads_another_units_people():
    unit_a, unit_b = make_unit(), make_unit()
    staff_of(unit_a, prefix="甲")
    staff_of(unit_b, prefix="乙")
    for kind, query in QUERIES.items():
        filters = filters_read(query.filters, {}, TODAY)
        rows = list(query.select(unit_b, filters).iterate())
        assert rows, kind
        assert all(r["name"].startswith("乙") for r in rows), kind


def test_a_person_of_another_unit_is_a_404():
    unit_a, unit_b = make_unit(), make_unit()
    staff = staff_of(unit_a)
    assert unit_person(unit_a, staff.former.ref) == staff.former
    with pytest.raises(Http404):
        unit_person(unit_b, staff.former.ref)


def test_bases_are_the_wage_clamped_to_the_years_limits_with_the_source():
    unit = make_unit()
    staff_of(unit)
    listing, rows = rows_of("bases", unit, year=YEAR)
    limits = year_limits(YEAR, unit)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"王现职", "赵新人"}  # the former employee has no 2024 wage
    high, low = by_name["王现职"], by_name["赵新人"]
    upper = {item.insurance: item.upper for item in limits.items}
    lower = {item.insurance: item.lower for item in limits.items}
    assert high["wage"] == 5_000_000 and high["pension"] == upper["pension"]
    assert high["note"] == "按上下限核定（高于上限）"
    assert high["source"] == "单位申报"
    assert low["medical"] == lower["medical"] and low["source"] == "新参保首月工资"
    assert high["months"] == "2024-07至2025-06"
    totals = listing.totals()
    assert totals is not None
    for insurance in ("pension", "medical"):
        assert totals[insurance] == high[insurance] + low[insurance]
    assert totals["wage"] == 5_300_000


def test_bases_list_approved_backpay_wages_of_the_year_as_backpay():
    unit = make_unit()
    person = make_person(name="钱补缴")
    make_enrolment(person, unit, first=Month(2024, 1))
    for status in (Status.EFFECTIVE, Status.REVIEWING):
        declaration = Declaration.objects.create(unit=unit, kind=DeclarationKind.BACKPAY,
                                                 status=status, source="web")
        DeclarationLine.objects.create(declaration=declaration, line_no=1, person=person,
                                       id_number=person.id_number, name=person.name,
                                       data={"start": "2024-05", "end": "2024-09",
                                             "wage": 1_000_000,
                                             "wages": {"202409": 1_200_000}})
    _, rows = rows_of("bases", unit, year=YEAR)
    limits = year_limits(YEAR, unit)
    assert [(r["months"], r["wage"], r["source"]) for r in rows] == [
        ("2024-07至2024-08", 1_000_000, "补缴"), ("2024-09", 1_200_000, "补缴")]
    assert rows[0]["pension"] == bases_for(1_000_000, limits).items[0].base


def test_account1992_lists_the_units_people_who_have_one_with_totals():
    unit = make_unit()
    staff_of(unit)
    listing, rows = rows_of("account1992", unit)
    assert [(r["name"], r["balance"], r["months"]) for r in rows] == [("李离职", 188_888, 40)]
    assert listing.totals() == {"personal_part": 123_456, "unit_transferred_part": 65_432,
                                "balance": 188_888}
    assert rows_of("account1992", unit, status="current")[1] == []


def test_an_unknown_year_or_status_is_a_chinese_error():
    with pytest.raises(FilterError, match="不是已知的缴费年度"):
        filters_read(("year",), {"year": "1899"}, TODAY)
    with pytest.raises(FilterError, match="人员状态应为在职或已减员"):
        filters_read(("status",), {"status": "x"}, TODAY)
    assert filters_read(("year",), {}, TODAY).year == YEAR


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_a_page_and_every_row_take_a_fixed_number_of_queries(kind,
                                                             django_assert_num_queries):
    unit = make_unit()
    for i in range(3):
        staff_of(unit, prefix=f"{i}")
    query = QUERIES[kind]
    filters = filters_read(query.filters, {}, TODAY)
    expected = {"people": 6, "bases": 5, "account1992": 4}[kind]
    with django_assert_num_queries(expected):
        _read_all(query, unit, filters)
    for i in range(3, 12):
        staff_of(unit, prefix=f"{i}")
    with django_assert_num_queries(expected):
        _read_all(query, unit, filters)


def _read_all(query, unit, filters):
    """What a page and an export read: a page, the count, totals, summary, every row."""
    listing = query.select(unit, filters)
    assert listing[0:50]
    listing.count()
    listing.totals()
    listing.summary()
    list(listing.iterate())
