"""Identity journeys in Chromium: a 受理 clerk logs in with 动态口令 and prints a 密码函;
the person sets a query password with its code, mistypes it once, logs in and sees
本人基本信息. Also: first staff login with TOTP enrolment, and the audit log page."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

Screenshot = Callable[[Page, str], Path]
NEW_PASSWORD = "Chaxun2026ab"


def _city() -> tuple[str, str]:
    """A clerk with a known TOTP secret and an enrolled person (ORM before the browser)."""
    import datetime as dt

    from shebao.accounts.models import StaffRole
    from shebao.accounts.tests.helpers import make_staff
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person, make_unit

    make_staff(StaffRole.INTAKE, "shouli", full_name="李受理")
    unit = make_unit(name="北京朝阳演示科技有限公司")
    person = make_person(name="张明", birth=dt.date(1988, 4, 12), phone="13800138000",
                         address="北京市朝阳区建国路 88 号")
    make_enrolment(person, unit, first=Month(2018, 3))
    return person.id_number, person.masked_id_number


def _staff_login(page: Page, username: str = "shouli") -> None:
    from shebao.accounts.tests.helpers import STAFF_PASSWORD, totp_now

    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态口令").fill(totp_now())
    page.get_by_role("button", name="登录").click()


def _issue_letter(page: Page, screenshot: Screenshot, id_number: str) -> str:
    page.goto("/backoffice/")
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/backoffice/$"))
    screenshot(page, "staff-login")
    _staff_login(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("经办业务")
    page.get_by_role("link", name="参保人查询密码").click()
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("张明")
    expect(page.locator("#credential")).to_contain_text("未设置")
    screenshot(page, "backoffice-person")
    page.get_by_role("button", name="生成密码函").click()
    expect(page.get_by_role("heading", name="社会保险个人查询密码函")).to_be_visible()
    code = page.locator("#activation-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    screenshot(page, "backoffice-letter")
    page.emulate_media(media="print")
    screenshot(page, "backoffice-letter-print")
    expect(page.get_by_role("button", name="打印密码函")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/staff/login/$"))
    return code


def test_letter_activation_login_and_home(page: Page, screenshot: Screenshot) -> None:
    id_number, masked = _city()
    code = _issue_letter(page, screenshot, id_number)

    page.goto("/")
    page.get_by_role("navigation", name="服务入口").get_by_role("link", name="个人查询").click()
    expect(page).to_have_url(re.compile(r"/person/login/$"))
    page.get_by_role("link", name="首次使用 · 设置查询密码").click()
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("激活码").fill(code.lower())
    page.get_by_label("新查询密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    screenshot(page, "person-activate")
    page.get_by_role("button", name="设置密码").click()
    expect(page).to_have_url(re.compile(r"/person/login/$"))
    expect(page.locator(".messages")).to_contain_text("查询密码设置成功")

    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("查询密码").fill("Cuowu2026xx")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("公民身份号码或查询密码不正确")
    screenshot(page, "person-login-error")

    page.get_by_label("查询密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/person/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("本人基本信息")
    basic = page.locator("#basic")
    for text in ("张明", masked, "1988年4月12日", "13800138000", "北京市朝阳区建国路 88 号"):
        expect(basic).to_contain_text(text)
    expect(page.locator("#enrolments")).to_contain_text("北京朝阳演示科技有限公司")
    expect(page.locator("#enrolments")).to_contain_text("2018年03月")
    expect(page.locator(".who")).to_contain_text(masked)
    screenshot(page, "person-home")

    page.get_by_role("button", name="退出").click()
    expect(page).to_have_url(re.compile(r"/person/login/$"))
    expect(page.locator(".messages")).to_contain_text("您已安全退出")


def test_first_staff_login_enrols_totp(page: Page, screenshot: Screenshot) -> None:
    from shebao.accounts.models import StaffRole
    from shebao.accounts.tests.helpers import STAFF_PASSWORD, make_staff, totp_now

    make_staff(StaffRole.REVIEW, "shenhe", full_name="赵审核", secret=None)
    page.goto("/staff/login/")
    page.get_by_label("用户名").fill("shenhe")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("绑定动态口令")
    uri = page.locator("#totp-uri").inner_text()
    secret = re.search(r"secret=([A-Z2-7]+)", uri)
    assert uri.startswith("otpauth://totp/") and secret is not None
    screenshot(page, "staff-totp-enrol")
    page.get_by_label("动态口令").fill(totp_now(secret.group(1)))
    page.get_by_role("button", name="完成绑定并登录").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    expect(page.locator(".messages")).to_contain_text("动态口令绑定成功")

    page.get_by_role("link", name="审计日志").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("审计日志")
    expect(page.locator("#events")).to_contain_text("staff_totp_enrol")
    page.get_by_label("事件").fill("staff_login")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#events tbody tr")).to_have_count(1)
    page.get_by_role("button", name="校验哈希链").click()
    expect(page.locator(".messages")).to_contain_text("审计日志哈希链完整")
    screenshot(page, "backoffice-audit")


def test_person_changes_the_query_password(page: Page, screenshot: Screenshot) -> None:
    """修改查询密码: a wrong old password and a mismatch are refused in Chinese; then the
    new password is the one that logs in."""
    from shebao.accounts.tests.helpers import PERSON_PASSWORD, give_password
    from shebao.tests.helpers import make_person

    person = give_password(make_person(name="王改密"))
    id_number = person.id_number

    page.goto("/person/login/")
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("查询密码").fill(PERSON_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/person/$"))
    page.get_by_role("link", name="修改查询密码").click()
    expect(page).to_have_url(re.compile(r"/person/password/$"))

    page.get_by_label("原查询密码").fill("Cuowu2026xx")
    page.get_by_label("新查询密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD + "x")
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("alert").filter(has_text="两次输入的新密码不一致")).to_be_visible()
    screenshot(page, "person-password-errors")

    page.get_by_label("原查询密码").fill("Cuowu2026xx")
    page.get_by_label("新查询密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("alert").filter(has_text="原查询密码不正确")).to_be_visible()

    page.get_by_label("原查询密码").fill(PERSON_PASSWORD)
    page.get_by_label("新查询密码").fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".messages")).to_contain_text("查询密码已修改")
    screenshot(page, "person-password-done")

    page.get_by_role("button", name="退出").click()
    page.get_by_label("公民身份号码").fill(id_number)
    page.get_by_label("查询密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/person/$"))
