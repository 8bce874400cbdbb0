"""The public pages and the staff login, clicked through in Chromium as a person would.

Browser tests (they use the `page` fixture from shebao/conftest.py): marked `browser`
automatically, skipped without /usr/bin/chromium unless SHEBAO_REQUIRE_BROWSER=1.
Screenshots land in var/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

Screenshot = Callable[[Page, str], Path]

NAV_LINKS = ["首页", "单位办事", "个人查询", "经办机构", "缴费计算器", "政策参数"]
BRAND_RED = "rgb(183, 32, 46)"  # --brand in shebao/static/shebao/site.css


def test_home_page(page: Page, screenshot: Screenshot) -> None:
    page.goto("/")
    expect(page).to_have_title(re.compile(r"^首页.*北京市社会保险网上申报查询系统$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("社保业务网上办，不用再到柜台排队")
    for name in ("单位办事", "个人查询", "经办机构", "开通网上申报业务的条件"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()

    nav = page.get_by_role("navigation", name="服务入口")
    for name in NAV_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    # The stylesheet is served and applied (CSP allows no inline styles).
    expect(page.locator("header.masthead")).to_have_css("background-color", BRAND_RED)
    expect(page.get_by_role("link", name="工作人员登录")).to_be_visible()
    screenshot(page, "home")

    nav.get_by_role("link", name="政策参数").click()
    expect(page).to_have_url(re.compile(r"/policy/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("社会保险政策参数")


def test_policy_page_month_and_bad_month(page: Page, screenshot: Screenshot) -> None:
    page.goto("/policy/")
    page.get_by_label("查询年月").fill("2025-03")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/policy/\?month=2025-03$"))
    expect(page.get_by_text("2025年03月", exact=False).first).to_be_visible()

    limits = page.locator("table.data").first
    pension = limits.get_by_role("row").filter(has_text="养老保险")
    expect(pension.get_by_role("cell").nth(1)).to_have_text("6,821.00 元")
    expect(pension.get_by_role("cell").nth(2)).to_have_text("35,283.00 元")
    expect(pension.get_by_role("cell").nth(3)).to_have_text("2024-07 至 2025-06")
    expect(pension.locator(".conf")).to_have_text("高（官方文件或原文转载）")
    expect(page.locator(".conf").first).to_be_visible()
    expect(page.get_by_role("heading", name="缴费比例")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    screenshot(page, "policy-2025-03")

    page.get_by_label("查询年月").fill("2025-13")
    page.get_by_role("button", name="查询").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("不是有效的年月")
    expect(alert).to_contain_text("月份 13 不在 1 至 12 之间")
    expect(page.get_by_label("查询年月")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("查询年月")).to_have_value("2025-13")
    expect(page.locator("table.data")).to_have_count(0)
    screenshot(page, "policy-bad-month")

    page.get_by_label("查询年月").fill("三月")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("不是有效的年月")


def test_calculator(page: Page, screenshot: Screenshot) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="服务入口").get_by_role("link", name="缴费计算器").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("社保缴费计算器")

    page.get_by_label("缴费年月").fill("2025-03")
    page.get_by_label("月缴费工资（元）").fill("12000")
    page.get_by_label("户口性质").select_option(label="城镇")
    page.get_by_role("button", name="计算").click()
    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(result.locator("tfoot")).to_contain_text("4,443.00")
    expect(page.get_by_role("heading", name="计算所依据的政策参数")).to_be_visible()
    expect(page.get_by_text("35,283.00 元").first).to_be_visible()
    screenshot(page, "calculator-2025-03")

    page.get_by_label("月缴费工资（元）").fill("abc")
    page.get_by_role("button", name="计算").click()
    expect(page.get_by_role("alert")).to_contain_text("不是有效金额")
    expect(page.locator("#result")).to_have_count(0)
    screenshot(page, "calculator-bad-wage")


def test_staff_login_to_admin(page: Page, screenshot: Screenshot) -> None:
    from shebao.accounts.models import User
    from shebao.accounts.staff import staff_totp_enrol
    from shebao.accounts.tests.helpers import TEST_TOTP_SECRET, totp_now

    # ORM before the first browser action; see shebao/conftest.py for why this works.
    user = User.objects.create_superuser(
        "jingban01", "jingban01@example.invalid", "Zhengque-Mima-2026", full_name="王经办"
    )
    staff_totp_enrol(user, TEST_TOTP_SECRET)

    # The admin's login goes through the staff login, which asks for the 动态口令.
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=%2Fadmin%2F$"))
    screenshot(page, "admin-login")

    page.get_by_label("用户名").fill("jingban01")
    page.get_by_label("密码").fill("wrong-password-1")
    page.get_by_label("动态口令").fill(totp_now(TEST_TOTP_SECRET))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("用户名、密码或动态口令不正确")

    page.get_by_label("密码").fill("Zhengque-Mima-2026")
    page.get_by_label("动态口令").fill(totp_now(TEST_TOTP_SECRET))
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#site-name")).to_have_text("北京市社会保险网上申报查询系统 · 经办机构")
    expect(page.get_by_role("heading", name="参保登记数据")).to_be_visible()
    screenshot(page, "admin-index")


def test_policy_page_cites_the_2026_notice(page: Page, screenshot: Screenshot) -> None:
    page.goto("/policy/?month=2026-08")
    limits = page.locator("table.data").first
    pension = limits.get_by_role("row").filter(has_text="养老保险")
    expect(pension.get_by_role("cell").nth(1)).to_have_text("7,270.00 元")
    expect(pension.get_by_role("cell").nth(2)).to_have_text("36,348.00 元")
    expect(pension.locator("cite")).to_have_text("《关于2026年度各项社会保险缴费工资基数上下限的通告》")
    expect(pension.locator(".note")).to_contain_text("上年全口径城镇单位就业人员月平均工资12116元")
    screenshot(page, "policy-2026-08")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(pension.locator("cite")).to_be_visible()
    screenshot(page, "policy-2026-08-390")

