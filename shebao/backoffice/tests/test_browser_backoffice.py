"""Staff journeys in Chromium: log in from the home page (with 动态口令), record a counter payment,
upload a bank file with errors and then the corrected file, read the arrears list."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

Screenshot = Callable[[Page, str], Path]
PASSWORD = "Zhengque-Mima-2026"


def _city() -> tuple[str, str, str]:
    """Two units with settled, unpaid months (ORM before the browser acts)."""
    from shebao.accounts.models import StaffRole, User
    from shebao.accounts.staff import staff_totp_enrol
    from shebao.accounts.tests.helpers import TEST_TOTP_SECRET
    from shebao.contributions.models import UnitMonth
    from shebao.contributions.settlement import settlement_run
    from shebao.lib.periods import Month
    from shebao.tests.helpers import make_enrolment, make_person, make_unit

    user = User.objects.create_user("shouli", password=PASSWORD, is_staff=True,
                                    role=StaffRole.INTAKE, full_name="李受理")
    staff_totp_enrol(user, TEST_TOTP_SECRET)
    a, b = make_unit(name="北京甲演示科技有限公司"), make_unit(name="北京乙演示商贸有限公司")
    for unit in (a, b):
        make_enrolment(make_person(), unit, first=Month(2025, 1), wage=1_000_000,
                       policy_years=(2025,))
    for m in (Month(2025, 7), Month(2025, 8)):
        settlement_run(m, bill_month=m)
    july = UnitMonth.objects.get(unit=a, month=202507)
    return a.number, b.number, f"{july.total / 100:.2f}"


def _login(page: Page) -> None:
    from shebao.accounts.tests.helpers import totp_now

    page.goto("/")
    page.get_by_role("link", name="工作人员登录").click()
    expect(page).to_have_url(re.compile(r"/staff/login/\?next=/backoffice/$"))
    page.get_by_label("用户名").fill("shouli")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_label("动态口令").fill(totp_now())
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))


def test_counter_payment(page: Page, screenshot: Screenshot) -> None:
    unit_a, _, july_amount = _city()
    _login(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("经办业务")
    screenshot(page, "backoffice-index")
    page.get_by_role("link", name="单笔缴费录入").click()

    page.get_by_label("单位编号").fill("99999999")
    page.get_by_label("缴费金额（元）").fill("0")
    page.get_by_label("缴费日期").fill("2025-02-30")
    page.get_by_role("button", name="登记缴费").click()
    alerts = page.get_by_role("alert")
    expect(alerts.filter(has_text="单位编号 99999999 不存在")).to_be_visible()
    expect(alerts.filter(has_text="缴费金额必须大于零")).to_be_visible()
    expect(alerts.filter(has_text="该日不存在")).to_be_visible()
    screenshot(page, "backoffice-payment-errors")

    page.get_by_label("单位编号").fill(unit_a)
    page.get_by_label("缴费金额（元）").fill(july_amount)
    page.get_by_label("缴费日期").fill("2025-08-20")
    page.get_by_role("button", name="登记缴费").click()
    expect(page.locator(".messages")).to_contain_text("已登记 北京甲演示科技有限公司 缴费")
    screenshot(page, "backoffice-payment-done")


def test_bank_file_with_errors_then_corrected_and_arrears(page: Page, screenshot: Screenshot,
                                                          tmp_path: Path) -> None:
    unit_a, unit_b, july_amount = _city()
    bad = tmp_path / "托收结果.csv"
    bad.write_bytes(("单位编号,费款所属期,金额,缴费日期\n"
                     f"{unit_a},202507,{july_amount},2025-08-20\n"
                     f"{unit_b},202507,12x.00,2025-08-20\n").encode("gb18030"))
    good = tmp_path / "托收结果-更正.csv"
    good.write_bytes(("单位编号,费款所属期,金额,缴费日期\n"
                      f"{unit_a},202507,{july_amount},2025-08-20\n").encode("gb18030"))
    _login(page)
    page.get_by_role("link", name="导入托收文件").click()
    page.get_by_label("托收结果文件（CSV）").set_input_files(str(bad))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.get_by_role("alert").first).to_contain_text("文件有 1 处错误，未导入任何数据")
    errors = page.locator("#errors")
    expect(errors).to_contain_text("第 3 行")
    expect(errors).to_contain_text("12x.00")
    screenshot(page, "backoffice-bankfile-errors")

    page.get_by_label("托收结果文件（CSV）").set_input_files(str(good))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.locator(".messages")).to_contain_text("导入完成：1 笔")
    page.get_by_label("托收结果文件（CSV）").set_input_files(str(good))
    page.get_by_role("button", name="校验并导入").click()
    expect(page.locator(".messages")).to_contain_text("本次未重复入账")

    page.goto("/backoffice/")
    page.get_by_role("link", name="欠费单位").click()
    page.get_by_label("计算至").fill("2025-10-15")
    page.get_by_role("button", name="查询").click()
    table = page.locator("#arrears")
    expect(table.get_by_role("row")).to_have_count(3)  # header + two units
    expect(table).to_contain_text("北京乙演示商贸有限公司")
    screenshot(page, "backoffice-arrears")


def test_settlement_issue_on_the_home_page(page: Page, screenshot: Screenshot) -> None:
    """A unit without a work-injury class for a month is listed for staff on the home page."""
    from shebao.contributions.settlement import settlement_run
    from shebao.lib.periods import Month
    from shebao.registry.models import Unit, UnitInjuryRate

    unit_a, _, _ = _city()
    UnitInjuryRate.objects.filter(unit__number=unit_a).delete()
    settlement_run(Month(2025, 8), bill_month=Month(2025, 8))
    name = Unit.objects.get(number=unit_a).name
    _login(page)
    table = page.get_by_role("table")
    expect(page.get_by_role("heading", name="核定问题（1 项）")).to_be_visible()
    expect(table).to_contain_text(unit_a)
    expect(table).to_contain_text("2025年08月")
    expect(table).to_contain_text("缺少工伤保险行业风险类别，工伤保险未核定")
    expect(table).to_contain_text(name)
    screenshot(page, "backoffice-settlement-issue")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "backoffice-settlement-issue-390")


def test_unfinished_settlement_run_on_the_home_page(page: Page, screenshot: Screenshot) -> None:
    """A settlement run stopped half-way (as a killed one is) is shown to staff, with the
    command that finishes it."""
    import pytest

    from shebao.contributions.settlement import settlement_run
    from shebao.lib.periods import Month

    def stop(done: int, total: int) -> None:
        raise RuntimeError("killed")

    _city()
    with pytest.raises(RuntimeError):
        settlement_run(Month(2025, 9), bill_month=Month(2025, 9), batch_size=1, progress=stop)
    _login(page)
    panel = page.get_by_role("region", name="月度核定未完成（1 项）")
    expect(panel).to_contain_text("2025年09月月度核定未完成：已核定 1/2 个单位")
    expect(panel).to_contain_text("shebao settle 2025-09")
    screenshot(page, "backoffice-unfinished-run")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "backoffice-unfinished-run-390")
