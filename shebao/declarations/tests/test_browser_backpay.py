"""补缴申报 clicked through in Chromium.

A unit logs in with its certificate files, fills the 补缴 form with a month before
2004-11 (and sees the error at that field), corrects it, asks for the quote (试算),
attaches a PDF, confirms and signs in the browser and gets the receipt with 审核中; a
reviewer logs in, downloads the evidence and approves; the back-payment rows exist.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login, browser_sign

Screenshot = Callable[[Page, str], Path]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _setup(tmp_path: Path) -> tuple[Holder, str, str, Path]:
    from shebao.accounts.models import StaffRole
    from shebao.accounts.tests.helpers import make_staff
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person

    make_staff(StaffRole.REVIEW, "shenhe", full_name="王审核")
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    person = make_person(name="赵补缴")
    make_enrolment(person, holder.unit, first=Month(2023, 1))
    evidence = tmp_path / "劳动合同.pdf"
    evidence.write_bytes(PDF)
    return holder, person.id_number, person.name, evidence


def test_unit_declares_a_backpay_and_staff_approve_it(page: Page, screenshot: Screenshot,
                                                      local_ca: LocalCa,
                                                      tmp_path: Path) -> None:
    from shebao.accounts.tests.helpers import STAFF_PASSWORD, totp_now

    holder, id_number, name, evidence = _setup(tmp_path)

    browser_cert_login(page, holder)
    page.goto("/unit/declarations/backpay/")
    expect(page.get_by_role("heading", level=1)).to_have_text("补缴申报")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("姓名").fill(name)
    page.get_by_label("起始年月").fill("2004-10")
    page.get_by_label("终止年月").fill("2025-03")
    page.get_by_label("月缴费工资（元）").fill("9500")
    page.get_by_label("补缴原因").fill("入职后前三个月漏报")
    screenshot(page, "backpay-form")
    page.get_by_role("button", name="试算").click()

    start = page.locator(".field.has-error").filter(has=page.get_by_label("起始年月"))
    expect(start).to_contain_text("起始年月 2004年10月 早于 2004年11月：补缴最早可到 2004 年 11 月")
    expect(page.locator("#quote")).to_have_count(0)
    expect(page.locator(".field.has-error")).to_have_count(1)
    screenshot(page, "backpay-form-error")

    page.get_by_label("起始年月").fill("2025-01")
    page.get_by_label("证明材料").set_input_files(str(evidence))
    page.get_by_label("按月填写各月工资").check()
    page.get_by_role("button", name="试算").click()
    wages = page.locator("#month-wages tbody tr")
    expect(wages).to_have_count(3)
    expect(page.get_by_label("2025年03月")).to_have_value("9500")
    page.get_by_label("2025年03月").fill("12000")
    page.get_by_role("button", name="试算").click()
    expect(page.locator("#quote-months-1 tbody.bp-month").nth(2)).to_contain_text("12,000.00 元")
    screenshot(page, "backpay-by-month")
    totals = page.locator("#quote-totals")
    expect(totals).to_contain_text("1 人，共 3 个人月")
    expect(page.locator(".field.has-error")).to_have_count(0)
    months = page.locator("#quote-months-1 tbody.bp-month")
    expect(months).to_have_count(3)
    expect(months.first).to_contain_text("养老保险")
    expect(months.first).to_contain_text("滞纳金")
    due = page.locator("#quote-due").inner_text()
    assert re.fullmatch(r"[\d,]+\.\d\d", due), due
    screenshot(page, "backpay-quote")

    # The file chosen before 试算 is still chosen (the quote came without a page load).
    page.get_by_role("button", name="下一步：确认并签名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    expect(page.locator("#quote-due")).to_have_text(due)
    expect(page.locator("#evidence-list")).to_contain_text("劳动合同.pdf")
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    screenshot(page, "backpay-confirm")

    browser_sign(page, holder)
    expect(page.get_by_role("heading", level=1)).to_have_text("补缴申报 · 回执")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("审核中")
    expect(page.locator("#evidence-list")).to_contain_text("劳动合同.pdf")
    screenshot(page, "backpay-receipt")
    receipt_no = receipt.locator("tr", has_text="回执号").locator("td").first.inner_text()
    page.get_by_role("button", name="退出").click()

    # The same person's 2025-03…04 declared again (a batch file) before the review.
    from shebao.declarations.tests.helpers import make_backpay
    from shebao.lib.periods import Month
    from shebao.registry.models import Person

    again = make_backpay(holder, Person.objects.get(id_number=id_number),
                         months=(Month(2025, 3), Month(2025, 4)))

    page.goto("/backoffice/")
    page.get_by_label("用户名").fill("shenhe")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态口令").fill(totp_now())
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="申报审核").click()
    page.get_by_role("link", name=receipt_no).click()
    expect(page.locator("#quote-due")).to_be_visible()
    overlaps = page.locator("#overlaps")
    expect(overlaps).to_contain_text(str(again.receipt_no))
    expect(overlaps).to_contain_text("2025年03月")
    expect(overlaps).not_to_contain_text("2025年04月")
    screenshot(page, "backpay-review")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "backpay-review-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as info:
        page.get_by_role("link", name="劳动合同.pdf").click()
    assert info.value.suggested_filename == "劳动合同.pdf"
    assert Path(info.value.path()).read_bytes() == PDF
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text(f"回执号 {receipt_no}")
    expect(page.locator(".messages")).to_contain_text("已审核通过")

    # The overlapping one cannot be approved: 2025-03 is billed now.
    page.goto(f"/backoffice/declarations/{again.receipt_no}/")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text("2025年03月")
    expect(page.locator(".messages")).to_contain_text("不能重复补缴")
    screenshot(page, "backpay-review-refused")

    from shebao.contributions.models import Contribution, ContributionKind

    rows = Contribution.objects.filter(person__id_number=id_number,
                                       kind=ContributionKind.BACKPAY)
    assert sorted(set(rows.values_list("month", flat=True))) == [202501, 202502, 202503]
