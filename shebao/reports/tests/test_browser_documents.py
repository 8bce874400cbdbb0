"""单位参保证明 printed and checked in Chromium; the 操作指南 read (browser tests)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person

Screenshot = Callable[[Page, str], Path]


def _codes(pdf: Path) -> tuple[str, str]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    serial = re.search(r"查询流水号：([0-9A-Z]{16})", text)
    code = re.search(r"校验码：([0-9A-Z]{16})", text)
    assert serial and code, text
    return serial.group(1), code.group(1)


def test_unit_prints_its_proof_and_a_third_party_checks_it(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    for _ in range(3):
        make_enrolment(make_person(), holder.unit, first=Month(2025, 1))

    browser_cert_login(page, holder)
    page.get_by_role("link", name="证明打印").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("证明打印")
    expect(page.get_by_text("本单位尚未打印过证明")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="打印单位参保证明（PDF）").click()
    pdf = tmp_path / "proof.pdf"
    download.value.save_as(pdf)
    assert download.value.suggested_filename.startswith("单位参保证明")
    serial, code = _codes(pdf)
    page.reload()
    expect(page.get_by_role("table").first).to_contain_text(serial)
    screenshot(page, "documents-page")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "documents-page-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The third party: the QR code's link fills in the serial; the code is typed.
    page.context.clear_cookies()
    page.goto(f"/verify/document/?serial={serial}")
    expect(page.get_by_label("查询流水号")).to_have_value(serial)
    page.get_by_label("校验码").fill(code[:-1] + ("2" if code[-1] != "2" else "3"))
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("未找到与该查询流水号和校验码相符的证明")
    screenshot(page, "document-verify-forged")
    page.get_by_label("查询流水号").fill(serial)
    page.get_by_label("校验码").fill(code.lower())
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page.get_by_role("heading", name="核验结果：证明真实有效")).to_be_visible()
    facts = page.locator("#document-facts")
    expect(facts).to_contain_text("北京朝阳示范科技有限公司")
    expect(facts.get_by_role("row", name="养老保险 参保")).to_contain_text("3 人")
    expect(facts.get_by_role("row").filter(has_text="是否欠费")).to_contain_text("无")
    screenshot(page, "document-verify-found")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "document-verify-found-390")


def test_the_receipt_check_page_offers_the_document_check(page: Page,
                                                          screenshot: Screenshot) -> None:
    page.goto("/verify/")
    expect(page.get_by_role("heading", name="证明核验")).to_be_visible()
    page.get_by_label("查询流水号").fill("123")
    page.get_by_role("button", name="核验", exact=True).click()
    expect(page).to_have_url(re.compile(r"/verify/document/$"))
    expect(page.get_by_text("查询流水号应为 16 位字母和数字")).to_be_visible()
    expect(page.get_by_text("请输入校验码")).to_be_visible()
    screenshot(page, "document-verify-errors")


def test_the_guide_pages_show_their_screenshots(page: Page, screenshot: Screenshot) -> None:
    page.goto("/guide/")
    expect(page.get_by_role("heading", level=1)).to_have_text("操作指南")
    page.get_by_role("link", name="补缴", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("操作指南：补缴")
    images = page.locator("img.guide-shot")
    expect(images).to_have_count(4)
    for i in range(4):
        images.nth(i).scroll_into_view_if_needed()
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "guide-backpay")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "guide-backpay-390")
    page.goto("/unit/declarations/backpay/")  # help link from the page (login first)
    expect(page).to_have_url(re.compile(r"/unit/login/"))
    page.get_by_role("link", name="帮助：本页操作指南").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("操作指南：登录")
