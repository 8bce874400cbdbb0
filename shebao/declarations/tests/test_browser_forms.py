"""The single-person web forms clicked through in Chromium: 增员 with an error corrected
at its field, signed and receipted; 减员 of an employee; a unit information change
partly under review; a personal information change effective at once; a second 减员
draft of one employee refused naming the first receipt (issue 9, item 5).

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login, browser_enrol, browser_sign

if TYPE_CHECKING:
    from shebao.registry.models import Person

Screenshot = Callable[[Page, str], Path]


def _unit_with_leaver(tmp_path: Path) -> tuple[Holder, Person]:
    """A unit with its certificate and an employee, 钱将离职, enrolled since 2024-03."""
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person

    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    leaver = make_person(name="钱将离职")
    make_enrolment(leaver, holder.unit, first=Month(2024, 3))
    return holder, leaver


def test_unit_declares_one_person_and_changes_information(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    from shebao.declarations.tests.helpers import effective
    from shebao.declarations.tests.samples import person_id

    holder, leaver = _unit_with_leaver(tmp_path)
    start = effective()
    new_id = person_id(11)
    wrong_id = new_id[:-1] + ("1" if new_id[-1] != "1" else "2")

    browser_cert_login(page, holder)
    browser_enrol(page, wrong_id)
    error = page.locator(".field.has-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("身份证号码")
    expect(error).to_contain_text("校验位")
    screenshot(page, "form-enrol-error")

    page.get_by_label("身份证号码").fill(new_id)
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    expect(page.locator("#summary")).to_contain_text("1 人")
    expect(page.locator("#summary")).to_contain_text(start.label)
    expect(page.locator("#lines tbody tr")).to_have_count(1)
    expect(page.locator("#lines")).to_contain_text("12,000.50")
    screenshot(page, "form-enrol-confirm")
    browser_sign(page, holder)
    expect(page.locator("#receipt")).to_contain_text("已生效")
    expect(page.locator("#receipt")).to_contain_text("网上填报")
    screenshot(page, "form-enrol-receipt")

    page.goto("/unit/")
    page.get_by_role("link", name="减员", exact=True).click()
    page.get_by_label("身份证号码").fill(leaver.id_number)
    page.get_by_label("姓名").fill("钱将离职")
    page.get_by_label("减员原因").select_option("解除劳动合同")
    page.get_by_label("终止年月").fill(f"{start.year}-{start.month:02d}")
    screenshot(page, "form-leave")
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    browser_sign(page, holder)
    expect(page.locator("#receipt")).to_contain_text("已生效")

    page.goto("/unit/")
    page.locator("ul.biz").get_by_role("link", name="单位信息变更").click()
    expect(page.get_by_label("单位名称")).to_have_value("北京朝阳示范科技有限公司")
    page.get_by_label("联系电话").fill("12")
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.locator(".field.has-error")).to_contain_text("联系电话")
    page.get_by_label("联系电话").fill("010-65001234")
    page.get_by_label("缴费地区").select_option("海淀区")
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
    lines = page.locator("#lines tbody tr")
    expect(lines).to_have_count(2)
    expect(page.locator("#lines")).to_contain_text("经办机构审核")
    expect(page.locator(".happens")).to_contain_text("审核通过后一并生效")
    screenshot(page, "form-unit-change-confirm")
    browser_sign(page, holder)
    expect(page.locator("#receipt")).to_contain_text("审核中")

    page.goto("/unit/")
    page.get_by_role("link", name="个人信息变更").click()
    page.get_by_label("身份证号码").fill(leaver.id_number)
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".field.has-error")).to_contain_text("没有该身份证号码的在职参保人员")
    screenshot(page, "form-person-lookup-error")
    page.get_by_label("身份证号码").fill(new_id)
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_label("姓名")).to_have_value("王小明")
    page.get_by_label("联系电话").fill("13912345678")
    screenshot(page, "form-person-change")
    page.get_by_role("button", name="下一步：核对并签名").click()
    expect(page.locator("#lines")).to_contain_text("13912345678")
    expect(page.locator(".happens")).to_contain_text("提交后即时生效")
    browser_sign(page, holder)
    expect(page.locator("#receipt")).to_contain_text("已生效")
    screenshot(page, "form-person-change-receipt")


def test_second_leave_draft_is_refused_naming_the_first_receipt(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    from shebao.declarations.models import Declaration, Status
    from shebao.declarations.tests.helpers import effective

    holder, leaver = _unit_with_leaver(tmp_path)
    end = effective()

    browser_cert_login(page, holder)
    drafts = []
    for reason in ("解除劳动合同", "终止劳动合同"):
        page.goto("/unit/")
        page.get_by_role("link", name="减员", exact=True).click()
        page.get_by_label("身份证号码").fill(leaver.id_number)
        page.get_by_label("姓名").fill("钱将离职")
        page.get_by_label("减员原因").select_option(reason)
        page.get_by_label("终止年月").fill(f"{end.year}-{end.month:02d}")
        page.get_by_role("button", name="下一步：核对并签名").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("确认并签名提交")
        drafts.append(page.url)

    page.goto(drafts[0])
    browser_sign(page, holder)
    expect(page.locator("#receipt")).to_contain_text("已生效")
    receipt = page.url.rstrip("/").rsplit("/", 1)[-1]

    page.goto(drafts[1])
    page.get_by_label("证书文件（cert.pem）").set_input_files(str(holder.cert_path))
    page.get_by_label("私钥文件（key.pem）").set_input_files(str(holder.key_path))
    page.get_by_role("button", name="签名并提交").click()
    error = page.locator("#sign-error")
    expect(error).to_contain_text(f"回执号 {receipt}")
    expect(error).to_contain_text("不能重复提交")
    expect(error).not_to_contain_text("500")
    screenshot(page, "stale-draft-refused")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "stale-draft-refused-390")
    error.get_by_role("link", name="查看回执").click()
    expect(page).to_have_url(re.compile(rf"/unit/declarations/{receipt}/$"))
    assert Declaration.objects.filter(status=Status.EFFECTIVE).count() == 1
