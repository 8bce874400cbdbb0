"""Two 减员 drafts of one employee clicked through in Chromium (issue 9, item 5): the
first signed takes effect; signing the other shows a Chinese refusal naming the first
receipt, with a link to it, and nothing changes.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from shebao.certauth.ca import LocalCa
from shebao.certauth.testing import unit_with_certificate
from shebao.declarations.testing import browser_cert_login, browser_sign

Screenshot = Callable[[Page, str], Path]


def test_second_leave_draft_is_refused_naming_the_first_receipt(
        page: Page, screenshot: Screenshot, local_ca: LocalCa, tmp_path: Path) -> None:
    from shebao.declarations.models import Declaration, Status
    from shebao.declarations.testing import effective
    from shebao.lib.periods import Month
    from shebao.testing import make_enrolment, make_person

    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    leaver = make_person(name="钱将离职")
    make_enrolment(leaver, holder.unit, first=Month(2024, 3))
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
