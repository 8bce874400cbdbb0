"""Drafts, receipts and narrow screens clicked through in Chromium: a draft listed on
申报记录 and discarded there; a receipt page leading to its PDF, which carries the
lines and their amounts; the wide tables (receipt, calculator, wage page) scrolling
inside their box at 390 px while the page itself never scrolls sideways.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate

Screenshot = Callable[[Page, str], Path]
NARROW: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def _approved_backpay(holder: Holder, people: int) -> str:
    """An approved 补缴 of `people` lines (two months each); its receipt number."""
    from django.utils import timezone

    from shebao.audit.services import SYSTEM
    from shebao.declarations.batchfiles import BackpayRecord
    from shebao.declarations.services import declaration_approve
    from shebao.declarations.tests.helpers import submitted
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person

    records = []
    for i in range(people):
        person = make_person(name=f"欧阳补缴{i + 1}")
        make_enrolment(person, holder.unit, first=Month(2020, 1))
        records.append(BackpayRecord(row=i + 2, id_number=person.id_number, name=person.name,
                                     start=Month(2021, 1), end=Month(2021, 2),
                                     wage=800_000, reason="入职当月漏报"))
    declaration = declaration_approve(submitted(holder, records), actor=SYSTEM,
                                      today=timezone.localdate())
    return str(declaration.receipt_no)


def _no_sideways_page(page: Page) -> None:
    """The document is no wider than the 390 px screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1
                     && !(e.parentElement && e.parentElement.closest('.table-scroll')))
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                         Math.round(e.getBoundingClientRect().right))""")
    assert width <= NARROW["width"], f"page scrolls sideways: {width} px, {wide}"


def _scrolls_in_its_box(page: Page, selector: str) -> None:
    """The table is wider than its .table-scroll box, which scrolls it."""
    box = page.locator(f".table-scroll:has({selector})")
    expect(box).to_have_count(1)
    scroll, client = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert scroll > client, f"{selector} fits ({scroll} <= {client}): nothing to scroll"
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "auto"


def test_drafts_are_listed_and_discarded_and_the_receipt_leads_to_its_pdf(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    from shebao.declarations.tests.helpers import browser_cert_login, browser_enrol
    from shebao.declarations.tests.samples import person_id

    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    receipt_no = _approved_backpay(holder, 3)

    browser_cert_login(page, holder)
    browser_enrol(page, person_id(11))
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")

    page.goto("/unit/declarations/")
    drafts = page.locator("#drafts")
    expect(drafts.get_by_role("heading")).to_have_text("未提交的草稿（1 份）")
    expect(drafts.locator("tbody tr")).to_have_count(1)
    expect(drafts.locator("tbody tr")).to_contain_text("增员")
    expect(page.locator("#declarations tbody tr")).to_have_count(1)
    screenshot(page, "declarations-drafts")
    drafts.get_by_role("link", name="继续办理").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    page.go_back()
    page.locator("#drafts").get_by_role("button", name="放弃").click()
    expect(page).to_have_url(f"{page.url.split('/unit/')[0]}/unit/declarations/")
    expect(page.locator(".messages li.info")).to_have_text("已放弃该增员草稿，未作任何申报")
    expect(page.locator("#drafts")).to_have_count(0)
    screenshot(page, "declarations-draft-discarded")

    page.get_by_role("link", name=receipt_no).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("补缴申报 · 回执")
    screenshot(page, "receipt-backpay")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载回执（PDF，含申报明细）").click()
    pdf = tmp_path / "receipt.pdf"
    info.value.save_as(pdf)
    assert info.value.suggested_filename == f"receipt-{receipt_no}.pdf" or \
        info.value.suggested_filename == f"回执{receipt_no}.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "申报明细（共 3 行）" in text
    assert all(f"欧阳补缴{i}" in text for i in (1, 2, 3))
    assert "2021年01月" in text and "8,000.00" in text and "入职当月漏报" in text


def test_wide_tables_scroll_inside_their_box_at_390_px(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    from shebao.declarations.tests.helpers import browser_cert_login, wage_window_open
    from shebao.lib.periods import Month
    from shebao.registry.models import WageBase
    from shebao.tests.helpers import make_enrolment, make_person

    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    receipt_no = _approved_backpay(holder, 2)
    year = wage_window_open().policy_year
    for name, wage in (("张一", 900_000), ("王二", 650_000)):
        person = make_person(name=name)
        make_enrolment(person, holder.unit, first=Month(2023, 1))
        WageBase.objects.create(person=person, unit=holder.unit, policy_year=year - 1,
                                wage=wage, source="declared")

    page.goto("/calculator/")
    page.get_by_label("缴费年月").fill("2025-03")
    page.get_by_label("月缴费工资（元）").fill("12000")
    page.get_by_role("button", name="计算").click()
    expect(page.locator("#result")).to_be_visible()
    screenshot(page, "calculator-desktop")
    page.set_viewport_size(NARROW)
    page.reload()
    _no_sideways_page(page)
    _scrolls_in_its_box(page, "#result")
    screenshot(page, "calculator-390")

    page.set_viewport_size(DESKTOP)
    browser_cert_login(page, holder)
    page.goto(f"/unit/declarations/{receipt_no}/")
    screenshot(page, "receipt-desktop")
    page.set_viewport_size(NARROW)
    for url, table, name in ((f"/unit/declarations/{receipt_no}/", "#lines", "receipt-390"),
                             ("/unit/declarations/wage/", "#people", "wage-390"),
                             ("/unit/declarations/", "#declarations", "declarations-390")):
        page.goto(url)
        _no_sideways_page(page)
        _scrolls_in_its_box(page, table)
        screenshot(page, name)
    page.goto("/unit/declarations/wage/")
    page.locator(".table-scroll:has(#people)").evaluate("b => b.scrollLeft = b.scrollWidth")
    # Scrolled to its end inside the box, the last column is on the narrow screen.
    box = page.get_by_label("张一 本次申报").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
    screenshot(page, "wage-390-scrolled")
