"""缴费工资申报 clicked through in Chromium: the administrator sets the year's window in
the back office; a unit opens the wage page, corrects a wrong wage at the person's
input, signs the declaration with its key file and gets the receipt.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login, browser_sign

Screenshot = Callable[[Page, str], Path]


def test_admin_sets_the_wage_window(page: Page, screenshot: Screenshot) -> None:
    from shebao.accounts.models import StaffRole
    from shebao.accounts.tests.helpers import STAFF_PASSWORD, make_staff, totp_now
    from shebao.declarations.tests.helpers import today
    from shebao.lib.periods import Month
    from shebao.policy.selectors import policy_at

    make_staff(StaffRole.ADMIN, "guanli", full_name="李管理")
    day = today()
    year = policy_at(Month.of(day)).year_label
    closes = day + dt.timedelta(days=30)

    page.goto("/backoffice/")
    page.get_by_label("用户名").fill("guanli")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态口令").fill(totp_now())
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    page.get_by_role("link", name="缴费工资申报期").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("缴费工资申报期")
    expect(page.locator("#windows-none")).to_be_visible()

    page.get_by_label("缴费年度").select_option(str(year))
    page.get_by_label("申报开始日期").fill(closes.isoformat())
    page.get_by_label("申报截止日期").fill(day.isoformat())
    page.get_by_role("button", name="保存申报期").click()
    expect(page.get_by_role("alert")).to_contain_text("不能早于开始日期")
    screenshot(page, "wage-window-error")

    page.get_by_label("申报开始日期").fill(day.isoformat())
    page.get_by_label("申报截止日期").fill(closes.isoformat())
    page.get_by_role("button", name="保存申报期").click()
    expect(page.locator(".messages")).to_contain_text(f"已设置 {year} 缴费年度缴费工资申报期")
    row = page.locator("#windows tbody tr").first
    expect(row).to_contain_text(f"{year} 缴费年度")
    expect(row).to_contain_text("申报中")
    expect(row).to_contain_text("guanli")
    screenshot(page, "wage-window-set")


def _wage_setup(tmp_path: Path) -> tuple[Holder, int]:
    from shebao.declarations.tests.helpers import wage_window_open
    from shebao.lib.periods import Month
    from shebao.registry.models import WageBase
    from shebao.tests.helpers import make_enrolment, make_person

    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    year = wage_window_open().policy_year
    for name, wage in (("张一", 900_000), ("王二", 650_000), ("李三", 1_250_000)):
        person = make_person(name=name)
        make_enrolment(person, holder.unit, first=Month(2023, 1))
        WageBase.objects.create(person=person, unit=holder.unit, policy_year=year - 1,
                                wage=wage, source="declared")
    return holder, year


def test_unit_declares_wages_on_the_web(page: Page, screenshot: Screenshot,
                                        local_ca: LocalCa, tmp_path: Path) -> None:
    holder, year = _wage_setup(tmp_path)

    browser_cert_login(page, holder)
    page.goto("/unit/declarations/wage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("缴费工资申报")
    expect(page.locator("#window")).to_contain_text(f"{year} 缴费年度缴费工资申报期为")
    expect(page.locator("#people tbody tr")).to_have_count(3)
    expect(page.get_by_label("张一 月缴费工资")).to_have_value("9000.00")
    expect(page.locator("#people tbody tr", has_text="王二")).to_contain_text("按上下限核定")
    screenshot(page, "wage-page")

    page.get_by_label("张一 月缴费工资").fill("九千五")
    page.get_by_label("李三 月缴费工资").fill("13000")
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.locator("#wage-form > .form-errors")).to_contain_text("有 1 处填写需要修改")
    wrong = page.get_by_label("张一 月缴费工资")
    expect(wrong).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#people tbody tr", has_text="张一").locator(".field-error")) \
        .to_contain_text("月缴费工资")
    expect(page.locator("#people tbody tr", has_text="李三")).to_contain_text("13,000.00")
    screenshot(page, "wage-errors")

    wrong.fill("9500")
    # 王二's prefilled wage is unchanged: declared only with its box ticked.
    expect(page.get_by_label("王二 本次申报")).not_to_be_checked()
    page.get_by_label("王二 本次申报").check()
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    expect(page.locator("#bases tbody tr")).to_have_count(3)
    expect(page.locator("#bases-summary")).to_contain_text("1 人月缴费工资低于缴费基数下限")
    expect(page.locator("#bases tbody tr", has_text="张一")).to_contain_text("9,500.00")
    screenshot(page, "wage-confirm")

    browser_sign(page, holder)
    expect(page.get_by_role("heading", level=1)).to_have_text("缴费工资申报 · 回执")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("已生效")
    expect(receipt).to_contain_text(holder.unit.name)
    screenshot(page, "wage-receipt")

    page.goto("/unit/declarations/wage/")
    expect(page.locator("#counts")).to_contain_text(f"{year} 缴费年度已申报 3 人")
    expect(page.get_by_label("张一 月缴费工资")).to_have_value("9500.00")
    screenshot(page, "wage-page-declared")


def test_a_large_unit_declares_with_the_prefilled_file(page: Page, screenshot: Screenshot,
                                                       local_ca: LocalCa,
                                                       tmp_path: Path) -> None:
    from openpyxl import load_workbook

    holder, year = _wage_setup(tmp_path)

    browser_cert_login(page, holder)
    page.goto("/unit/declarations/wage/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载本单位人员名单（已预填工资，.xlsx）").click()
    assert info.value.suggested_filename == f"{holder.unit.number}_{year}年度缴费工资申报.xlsx"
    prefilled = tmp_path / "prefilled.xlsx"
    info.value.save_as(prefilled)

    # The clerk corrects one wage in Excel and saves.
    book = load_workbook(prefilled)
    sheet = book["缴费工资"]
    assert [c.value for c in sheet[1]] == ["身份证号码", "姓名", "月缴费工资"]
    wages = {row[1].value: row[2] for row in sheet.iter_rows(min_row=2)}
    assert set(wages) == {"张一", "王二", "李三"}
    wages["王二"].value = 7300
    edited = tmp_path / "缴费工资-核对后.xlsx"
    book.save(edited)

    page.get_by_role("link", name="上传报盘文件").click()
    expect(page.get_by_label("业务类型")).to_have_value("wage")
    page.get_by_label("报盘文件").set_input_files(str(edited))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    expect(page.locator("#bases tbody tr")).to_have_count(3)
    expect(page.locator("#bases tbody tr", has_text="王二")).to_contain_text("7,300.00")
    expect(page.locator("#bases tbody tr", has_text="李三")).to_contain_text("12,500.00")
    screenshot(page, "wage-prefilled-confirm")

    browser_sign(page, holder)
    expect(page.get_by_role("heading", level=1)).to_have_text("缴费工资申报 · 回执")
    expect(page.locator("#receipt")).to_contain_text("已生效")
    page.goto("/unit/declarations/wage/")
    expect(page.locator("#counts")).to_contain_text(f"{year} 缴费年度已申报 3 人")
    expect(page.get_by_label("王二 月缴费工资")).to_have_value("7300.00")
