"""Unit certificate login clicked through in Chromium: WebCrypto signs in the browser.

Browser tests (they use the `page` fixture from shebao/conftest.py): marked `browser`
automatically, skipped without /usr/bin/chromium unless SHEBAO_REQUIRE_BROWSER=1.
ORM work comes before the first browser action (see shebao/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa, certificate_revoke
from shebao.certauth.tests.helpers import open_unit, unit_with_certificate

Screenshot = Callable[[Page, str], Path]


def choose_files(page: Page, cert: Path, key: Path) -> None:
    page.get_by_label("证书文件（cert.pem）").set_input_files(str(cert))
    page.get_by_label("私钥文件（key.pem）").set_input_files(str(key))


def test_unit_logs_in_with_its_certificate(page: Page, screenshot: Screenshot,
                                           local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    other = open_unit(name="北京另一家单位有限公司")

    page.goto("/")
    page.get_by_role("navigation", name="服务入口").get_by_role("link", name="单位登录").click()
    expect(page).to_have_url(re.compile(r"/unit/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("参保单位数字证书登录")
    screenshot(page, "unit-login")

    choose_files(page, holder.cert_path, holder.key_path)
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/unit/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("北京朝阳示范科技有限公司")
    info = page.locator("table.info").first
    expect(info.get_by_role("row").filter(has_text="单位编号")).to_contain_text(
        holder.unit.number)
    expect(info.get_by_role("row").filter(has_text="网上申报状态")).to_contain_text("已开通")
    expect(page.get_by_text("即将开放")).to_have_count(1)
    expect(page.get_by_role("link", name="增员", exact=True)).to_have_attribute(
        "href", "/unit/declarations/enrol/")
    expect(page.get_by_text(other.name)).to_have_count(0)
    nav = page.get_by_role("navigation", name="服务入口")
    expect(nav.get_by_role("link", name="单位首页")).to_have_attribute("aria-current", "page")
    screenshot(page, "unit-home")

    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/unit/login/$"))
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_revoked_certificate_shows_the_chinese_error(page: Page, screenshot: Screenshot,
                                                     local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    certificate_revoke(x509.load_pem_x509_certificate(holder.cert_path.read_bytes()))

    page.goto("/unit/login/")
    choose_files(page, holder.cert_path, holder.key_path)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("alert")).to_have_text("证书已被吊销")
    expect(page).to_have_url(re.compile(r"/unit/login/$"))
    expect(page.get_by_role("button", name="登录")).to_be_enabled()
    screenshot(page, "unit-login-revoked")


def test_missing_key_and_wrong_key_file_are_explained(page: Page, screenshot: Screenshot,
                                                      local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)

    page.goto("/unit/login/")
    page.get_by_label("证书文件（cert.pem）").set_input_files(str(holder.cert_path))
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("请选择私钥文件（key.pem）")
    expect(page.get_by_label("私钥文件（key.pem）")).to_have_attribute("aria-invalid", "true")

    choose_files(page, holder.cert_path, holder.cert_path)  # the certificate as the key
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("不是 PEM 格式的 PKCS#8 私钥")
    screenshot(page, "unit-login-bad-key")
