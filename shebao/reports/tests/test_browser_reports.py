"""The query pages clicked through in Chromium, from the unit's home page: 员工基本信息
(filter, a person's page), 员工缴费基数 (a policy year chosen, the totals row), 1992–1995
养老账户, each downloaded as PDF or Excel; at 390 px the wide tables scroll in their box.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login
from shebao.declarations.tests.test_browser_receipts import (
    DESKTOP,
    NARROW,
    _no_sideways_page,
    _scrolls_in_its_box,
)
from shebao.lib.spreadsheets import xlsx_read

from .helpers import YEAR, staff_of

Screenshot = Callable[[Page, str], Path]


def _narrow(page: Page, screenshot: Screenshot, name: str, table: str) -> None:
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(NARROW)
    page.reload()
    _no_sideways_page(page)
    _scrolls_in_its_box(page, table)
    screenshot(page, f"{name}-390")
    page.set_viewport_size(DESKTOP)


def _home_with_staff(page: Page, tmp_path: Path) -> None:
    """A unit with three people (helpers.staff_of), logged in at its home page."""
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    staff_of(holder.unit)
    browser_cert_login(page, holder)


def test_people_are_searched_and_a_person_opened(page: Page, screenshot: Screenshot,
                                                 local_ca: LocalCa, tmp_path: Path) -> None:
    _home_with_staff(page, tmp_path)
    page.get_by_role("link", name="员工基本信息").click()
    expect(page.get_by_role("heading", name="员工基本信息")).to_be_visible()
    expect(page.locator("#found")).to_have_text("共 3 人，其中在职 2 人")
    page.get_by_label("人员状态").select_option(label="已减员")
    page.get_by_role("button", name="查询").click()
    table = page.locator("#report")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("已停保（2010-01至2023-06，解除劳动合同）")
    page.get_by_label("人员状态").select_option(label="全部")
    page.get_by_role("button", name="查询").click()
    _narrow(page, screenshot, "reports-people", "#report")
    page.get_by_role("link", name="李离职").click()
    expect(page.locator("#spells")).to_contain_text("解除劳动合同")
    screenshot(page, "reports-person-desktop")
    page.get_by_role("link", name="1992年至1995年养老账户").click()
    expect(page.locator("#report")).to_contain_text("1,888.88")
    _narrow(page, screenshot, "reports-account1992", "#report")
    with page.expect_download() as download:
        page.get_by_role("link", name="打印版（PDF）").click()
    pdf = tmp_path / "account1992.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_bases_of_a_year_with_totals_and_excel(page: Page, screenshot: Screenshot,
                                               local_ca: LocalCa, tmp_path: Path) -> None:
    _home_with_staff(page, tmp_path)
    page.get_by_role("link", name="员工缴费基数").click()
    page.get_by_label("缴费年度").select_option(str(YEAR))
    page.get_by_role("button", name="查询").click()
    table = page.locator("#report")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator("tfoot")).to_contain_text("53,000.00")
    expect(table).to_contain_text("按上下限核定（高于上限）")
    _narrow(page, screenshot, "reports-bases", "#report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel 表格（.xlsx）").click()
    book = tmp_path / "bases.xlsx"
    download.value.save_as(book)
    assert [r[0] for r in xlsx_read(book.read_bytes()).rows] == ["姓名", "王现职", "赵新人",
                                                                 "合计"]
    page.get_by_label("缴费年度").select_option("2019")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#none")).to_contain_text("本单位2019年度尚无缴费基数记录")
    screenshot(page, "reports-bases-empty-desktop")
