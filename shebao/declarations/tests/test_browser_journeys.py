"""Employer online business clicked through in Chromium.

A unit logs in with its certificate files, downloads the 增员 form and fills it in,
uploads it with errors (and sees each row), uploads the corrected file, signs the
canonical content with its key file in the browser and gets the receipt; staff approve
one 补缴 and return another, and the unit sees both outcomes.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login

Screenshot = Callable[[Page, str], Path]


def _fill(form: Path, out: Path, rows: list[list[str]]) -> Path:
    book = load_workbook(form)
    sheet = book["增员"]
    for row in rows:
        sheet.append(row)
    book.save(out)
    return out


def _people() -> tuple[list[list[str]], str]:
    """Three new hires from the first month a declaration made today can take effect;
    the second row's ID number has a wrong check character."""
    from shebao.declarations.tests.helpers import effective
    from shebao.declarations.tests.samples import person_id

    start = f"{int(effective())}"
    good = [[person_id(n), name, "城镇", "新参保", start, "12000", "13800138000"]
            for n, name in ((1, "张一"), (2, "王二"), (3, "李三"))]
    wrong = person_id(2)[:-1] + ("1" if person_id(2)[-1] != "1" else "2")
    return good, wrong


def test_unit_declares_new_hires_with_a_batch_file(page: Page, screenshot: Screenshot,
                                                    local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    good, wrong_id = _people()
    bad = [list(good[0]), [wrong_id, *good[1][1:]], [*good[2][:5], "一万二", good[2][6]]]

    browser_cert_login(page, holder)
    page.get_by_role("link", name="表样下载").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("表样下载")
    screenshot(page, "decl-forms")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载增员表样（.xlsx）").click()
    assert info.value.suggested_filename == "增员表样.xlsx"
    form = tmp_path / "增员表样.xlsx"
    info.value.save_as(form)

    page.goto("/unit/")
    page.get_by_role("link", name="报盘", exact=True).click()
    page.get_by_label("业务类型").select_option("增员")
    expect(page.get_by_label("业务类型")).to_have_value("add")
    page.get_by_label("报盘文件").set_input_files(
        str(_fill(form, tmp_path / "增员名单.xlsx", bad)))
    page.get_by_role("button", name="上传并校验").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("报盘文件校验未通过")
    errors = page.locator("#errors tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("第 3 行")
    expect(errors.nth(0)).to_contain_text("身份证号码")
    expect(errors.nth(0)).to_contain_text(wrong_id)
    expect(errors.nth(1)).to_contain_text("第 4 行")
    expect(errors.nth(1)).to_contain_text("月缴费工资")
    expect(errors.nth(1)).to_contain_text("一万二")
    screenshot(page, "decl-upload-errors")
    with page.expect_download() as marked:
        page.get_by_role("link", name="下载标注错误的文件").click()
    assert marked.value.suggested_filename == "增员名单-错误标注.xlsx"

    page.get_by_label("报盘文件").set_input_files(
        str(_fill(form, tmp_path / "增员名单-更正.xlsx", good)))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    expect(page.locator("#summary")).to_contain_text("3 人")
    expect(page.locator("#lines tbody tr")).to_have_count(3)
    screenshot(page, "decl-confirm")

    page.get_by_role("button", name="签名并提交").click()
    expect(page.get_by_role("alert")).to_have_text("请选择证书文件（cert.pem）")
    page.get_by_label("证书文件（cert.pem）").set_input_files(str(holder.cert_path))
    page.get_by_label("私钥文件（key.pem）").set_input_files(str(holder.key_path))
    page.get_by_role("button", name="签名并提交").click()

    expect(page).to_have_url(re.compile(r"/unit/declarations/\d{8}[0-9A-Z]{8}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("增员申报 · 回执")
    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("社会保险网上申报回执")
    expect(receipt).to_contain_text("已生效")
    expect(receipt).to_contain_text("3 行")
    expect(receipt).to_contain_text(holder.unit.name)
    screenshot(page, "decl-receipt")
    page.emulate_media(media="print")
    screenshot(page, "decl-receipt-print")
    page.emulate_media(media="screen")
    code = receipt.locator("tr", has_text="验证码").locator("td").nth(1).inner_text()
    receipt_no = receipt.locator("tr", has_text="回执号").locator("td").first.inner_text()

    page.get_by_role("link", name="返回申报记录").click()
    row = page.locator("#declarations tbody tr").first
    expect(row).to_contain_text(receipt_no)
    expect(row).to_contain_text("已生效")
    screenshot(page, "decl-list")
    page.get_by_label("状态").select_option("已退回")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#none")).to_have_text("没有符合条件的申报，请调整查询条件。")
    page.get_by_label("状态").select_option("全部")
    page.get_by_label("含身份证号码").fill(good[1][0])
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#found")).to_contain_text("共找到 1 份符合条件的申报")
    expect(page.locator("#declarations tbody tr").first).to_contain_text(receipt_no)
    screenshot(page, "decl-list-filtered")

    page.get_by_role("link", name="报盘文件上传").click()
    page.get_by_label("业务类型").select_option("add")
    page.get_by_label("报盘文件").set_input_files(str(tmp_path / "增员名单-更正.xlsx"))
    page.get_by_role("button", name="上传并校验").click()
    expect(page.locator("#duplicate")).to_contain_text(f"回执号 {receipt_no}")
    expect(page.locator("#duplicate")).to_contain_text("本次未重复办理")
    screenshot(page, "decl-duplicate")

    page.get_by_role("navigation", name="服务入口").get_by_role("link", name="回执验证").click()
    page.get_by_label("回执验证码").fill(code.lower())
    page.get_by_role("button", name="验证").click()
    result = page.locator("#verified")
    expect(result).to_contain_text(receipt_no)
    expect(result).to_contain_text("签名有效")
    expect(page.get_by_text("张一")).to_have_count(0)
    screenshot(page, "decl-verify")


def _review_setup(tmp_path: Path) -> tuple[Holder, str, str]:
    from shebao.accounts.models import StaffRole
    from shebao.accounts.tests.helpers import make_staff
    from shebao.declarations.tests.helpers import make_backpay
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person

    make_staff(StaffRole.REVIEW, "shenhe", full_name="王审核")
    holder = unit_with_certificate(tmp_path, name="北京海淀示范商贸有限公司")
    person = make_person(name="赵补缴")
    make_enrolment(person, holder.unit, first=Month(2023, 1))
    approve = make_backpay(holder, person, months=(Month(2024, 3), Month(2024, 5)))
    ret = make_backpay(holder, person, months=(Month(2024, 7), Month(2024, 7)))
    return holder, str(approve.receipt_no), str(ret.receipt_no)


def test_staff_approve_and_return_and_the_unit_sees_both(page: Page, screenshot: Screenshot,
                                                         local_ca: LocalCa,
                                                         tmp_path: Path) -> None:
    from shebao.accounts.tests.helpers import STAFF_PASSWORD, totp_now

    holder, approve, ret = _review_setup(tmp_path)

    page.goto("/backoffice/")
    page.get_by_label("用户名").fill("shenhe")
    page.get_by_label("密码").fill(STAFF_PASSWORD)
    page.get_by_label("动态口令").fill(totp_now())
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))
    page.get_by_role("link", name="申报审核").click()
    queue = page.locator("#queue tbody tr")
    expect(queue).to_have_count(2)
    expect(queue.first).to_contain_text(approve)
    screenshot(page, "review-queue")

    page.get_by_role("link", name=approve).click()
    expect(page.locator("#lines")).to_contain_text("赵补缴")
    screenshot(page, "review-detail")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messages")).to_contain_text(f"回执号 {approve}")
    expect(page.locator("#queue tbody tr")).to_have_count(1)

    page.get_by_role("link", name=ret).click()
    page.get_by_role("button", name="退回").click()
    expect(page.get_by_role("alert")).to_contain_text("退回时必须填写退回原因")
    screenshot(page, "review-return-empty")
    page.get_by_label("退回原因").fill("请补充提交 2024 年 7 月的劳动合同和工资发放记录")
    page.get_by_role("button", name="退回").click()
    expect(page.locator(".messages")).to_contain_text("已退回")
    expect(page.get_by_text("目前没有待审核的申报")).to_be_visible()
    screenshot(page, "review-queue-empty")
    page.get_by_role("button", name="退出").click()

    browser_cert_login(page, holder)
    page.get_by_role("link", name="申报记录").click()
    rows = page.locator("#declarations tbody tr")
    expect(rows.filter(has_text=approve)).to_contain_text("已生效")
    expect(rows.filter(has_text=ret)).to_contain_text("已退回")
    expect(rows.filter(has_text=ret)).to_contain_text("退回原因：请补充提交 2024 年 7 月的劳动合同")
    screenshot(page, "decl-list-decided")
    page.get_by_role("link", name=ret).click()
    expect(page.get_by_role("status")).to_contain_text("已被经办机构退回")
    screenshot(page, "decl-receipt-returned")
