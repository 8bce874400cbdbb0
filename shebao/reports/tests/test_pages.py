"""The query pages, their .xlsx and PDF: the unit's rows only, filters, totals, the
empty-state reason, and a fixed number of queries per page."""

from __future__ import annotations

import pytest
from django.test import Client

from shebao.certauth.tests.helpers import Holder
from shebao.lib.spreadsheets import xlsx_read
from shebao.tests.helpers import make_unit

from .helpers import YEAR, staff_of

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_people_page_lists_the_units_people_and_links_each(unit_client: Client,
                                                          holder: Holder):
    staff = staff_of(holder.unit)
    staff_of(make_unit(), prefix="外")
    response = unit_client.get("/unit/reports/people/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "王现职" in text and "李离职" in text and "外王现职" not in text
    assert f"/unit/reports/people/{staff.current.ref}/" in text
    assert "共 3 人，其中在职 2 人" in text


def test_person_page_shows_enrolments_and_another_units_person_is_404(unit_client: Client,
                                                                      holder: Holder):
    staff = staff_of(holder.unit)
    other = staff_of(make_unit(), prefix="外")
    response = unit_client.get(f"/unit/reports/people/{staff.former.ref}/")
    assert response.status_code == 200
    assert "解除劳动合同" in response.content.decode()
    assert unit_client.get(f"/unit/reports/people/{other.former.ref}/").status_code == 404


def test_bases_page_has_a_totals_row_and_says_why_a_year_is_empty(unit_client: Client,
                                                                  holder: Holder):
    staff_of(holder.unit)
    text = unit_client.get(f"/unit/reports/bases/?year={YEAR}").content.decode()
    assert "<tfoot>" in text and "合计" in text and "单位申报" in text
    empty = unit_client.get("/unit/reports/bases/?year=2019").content.decode()
    assert "本单位2019年度尚无缴费基数记录" in empty


def test_a_bad_filter_is_a_400_with_the_chinese_error(unit_client: Client):
    response = unit_client.get("/unit/reports/bases/?year=1800")
    assert response.status_code == 400
    assert "不是已知的缴费年度" in response.content.decode()
    assert unit_client.get("/unit/reports/nosuch/").status_code == 404
    assert unit_client.get("/unit/reports/people.doc").status_code == 404


def test_people_page_queries_do_not_grow_with_the_page(unit_client: Client, holder: Holder,
                                                       django_assert_max_num_queries):
    for i in range(20):
        staff_of(holder.unit, prefix=f"{i}")
    with django_assert_max_num_queries(16):
        assert unit_client.get("/unit/reports/people/").status_code == 200


def test_xlsx_export_holds_every_row_and_the_totals(unit_client: Client, holder: Holder):
    staff_of(holder.unit)
    response = unit_client.get(f"/unit/reports/bases.xlsx?year={YEAR}")
    assert response.status_code == 200 and response.streaming
    sheet = xlsx_read(body(response))
    assert sheet.rows[0][:3] == ["姓名", "公民身份号码", "缴费年度"]
    assert [r[0] for r in sheet.rows[1:]] == ["王现职", "赵新人", "合计"]
    assert sheet.rows[-1][4] == 53000.0  # 50,000.00 + 3,000.00 yuan


def test_pdf_export_is_a4_with_the_cjk_font(unit_client: Client, holder: Holder):
    staff_of(holder.unit)
    response = unit_client.get("/unit/reports/account1992.pdf")
    assert response.status_code == 200
    data = body(response)
    assert data.startswith(b"%PDF") and b"/FontFile2" in data  # the CJK font, embedded
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4 portrait
    wide = body(unit_client.get("/unit/reports/people.pdf"))
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in wide  # A4 landscape
