"""`shebao policy load` and `shebao policy show YYYY-MM`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command

from shebao.audit.models import ActorKind, Event
from shebao.audit.services import chain_verify
from shebao.policy.models import PolicyRow
from shebao.policy.selectors import clear_cache

pytestmark = pytest.mark.django_db

SHIPPED_ROWS = 327


@pytest.fixture(autouse=True)
def _fresh_policy_cache() -> Iterator[None]:
    """No policy table loaded in one (rolled back) test is served to the next."""
    clear_cache()
    yield
    clear_cache()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    call_command("policy", *args)
    captured = capsys.readouterr()
    return captured.out, captured.err


def run_failing(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as excinfo:
        call_command("policy", *args)
    captured = capsys.readouterr()
    return excinfo.value.code, captured.out, captured.err  # type: ignore[return-value]


# --- load ------------------------------------------------------------------------------


def test_load_when_nothing_changed_prints_zero_counts_and_records_nothing(capsys) -> None:
    out, err = run(capsys, "load")
    assert out == "已载入政策参数文件 beijing_policy.csv：新增 0 条，更新 0 条，删除 0 条\n"
    assert err == ""
    assert Event.objects.count() == 0


def test_load_restores_shipped_rows_and_records_one_system_event(capsys) -> None:
    PolicyRow.objects.filter(key="interest_rate").delete()  # 30 rows
    changed = PolicyRow.objects.get(key="late_fee_daily", first_month=201107)
    changed.value = "0.06"
    changed.save()

    out, _ = run(capsys, "load")

    lines = out.splitlines()
    assert lines[0] == "已载入政策参数文件 beijing_policy.csv：新增 30 条，更新 1 条，删除 0 条"
    assert lines[1] == "变更的参数："
    assert "  滞纳金日费率 2011-07 起：0.06%/日（2011-07 至今） → 0.05%/日（2011-07 至今）" in lines
    assert "  养老保险个人账户记账利率 2023-01 起：无 → 3.97%（2023-01 至 2023-12）" in lines
    assert lines[-1] == "受影响的已核定月份：无"
    assert PolicyRow.objects.filter(origin="shipped").count() == SHIPPED_ROWS
    changed.refresh_from_db()
    assert changed.value == "0.05"
    event = Event.objects.get()
    assert (event.actor_kind, event.actor) == (ActorKind.SYSTEM, "system")
    assert (event.action, event.object_type, event.object_ref) == (
        "policy_load", "policy_file", "beijing_policy.csv",
    )
    after = event.after or {}
    assert (after["created"], after["updated"], after["removed"]) == (30, 1, 0)
    assert after["figures"][-1] == {
        "key": "late_fee_daily", "insurance": "all", "party": "employer", "variant": "",
        "before": {"value": "0.06", "unit": "percent_per_day", "from": "2011-07", "to": None},
        "after": {"value": "0.05", "unit": "percent_per_day", "from": "2011-07", "to": None}}
    assert len(after["figures"]) == 31
    assert chain_verify() is None


def test_load_twice_changes_nothing_the_second_time(capsys) -> None:
    PolicyRow.objects.filter(key="policy_year").delete()
    first, _ = run(capsys, "load")
    second, _ = run(capsys, "load")
    assert first.startswith(
        "已载入政策参数文件 beijing_policy.csv：新增 23 条，更新 0 条，删除 0 条\n")
    assert second == "已载入政策参数文件 beijing_policy.csv：新增 0 条，更新 0 条，删除 0 条\n"
    assert Event.objects.count() == 1


def test_load_dry_run_counts_without_writing(capsys) -> None:
    PolicyRow.objects.filter(key="policy_year").delete()
    out, _ = run(capsys, "load", "--dry-run")
    assert out.startswith("（试运行，未写入）已载入政策参数文件 beijing_policy.csv："
                          "新增 23 条，更新 0 条，删除 0 条\n")
    assert PolicyRow.objects.filter(key="policy_year").count() == 0
    assert Event.objects.count() == 0


def test_load_refuses_a_month_argument(capsys) -> None:
    code, out, err = run_failing(capsys, "load", "2025-03")
    assert (code, out, err) == (2, "", "policy load 不接受年月参数\n")


# --- show ------------------------------------------------------------------------------


def test_show_prints_the_figures_with_confidence_and_source(capsys) -> None:
    out, err = run(capsys, "show", "2025-03")
    lines = out.splitlines()
    assert err == ""
    assert lines[0] == "2025年03月适用的政策参数（2024 缴费年度，2024-07 至 2025-06）"
    assert lines[2] == (
        "养老保险缴费基数上限：35,283.00 元｜2024-07 至 2025-06｜"
        "可信度：高（官方文件或原文转载）｜出处：京人社发〔2024〕12号, "
        "https://m.chinaacc.com/kuaijishiwu/zzjn/su20240802144325.shtml"
    )
    assert "工伤保险单位缴费比例（8类行业）：1.9%｜2015-10 至今｜可信度：高（官方文件或原文转载）" \
        "｜出处：人社部发〔2015〕71号; http://cardozapub.com/CateringTraining/kuecbczzxd.html" \
        in lines
    assert lines[-1] == (
        "个人账户记账利率（2025年）：1.5%｜2025-01 至 2025-12｜可信度：低｜"
        "出处：reported, not confirmed; https://www.163.com/dy/article/KE9FH59Q05446M2K.html"
    )
    # heading, 10 limits, 9 general rates (5 insurances × 2 parties less the injury
    # employer), 8 injury classes, medical fixed, 2 floating lists, account share,
    # interest factor, late fee, late-declaration base, the year's interest rate
    assert len(lines) == 1 + 10 + 9 + 8 + 1 + 2 + 4 + 1
    assert all("｜可信度：" in line and "｜出处：" in line for line in lines[1:])


@pytest.mark.parametrize(
    ("month", "expected_line"),
    [
        ("2020-03", "阶段性减免应缴比例（养老保险，大型企业）：应缴额的 50%｜2020-02 至 2020-06｜"),
        ("2020-03", "失业保险个人缴费比例（农村户口）：0%｜2004-01 至 2021-06｜"),
        ("2010-05", "滞纳金日费率：0.2%/日｜1999-01 至 2011-06｜"),
        ("2010-05", "养老保险个人账户记账比例：8%｜2006-01 至今｜"),
        ("2010-05", "养老保险当年记账额计息系数：1.083｜1998-01 至今｜"),
        ("2005-03", "工伤保险单位缴费比例（3类行业）：2%｜2004-01 至 2015-09｜"),
        ("2005-03", "养老保险个人账户记账比例：11%｜1996-01 至 2005-12｜"),
        ("2025-03", "医疗保险个人定额：3.00 元｜2004-01 至今｜"),
        ("2025-03", "工伤保险浮动费率档次（2–8类行业）：50%、80%、100%、120%、150%｜"),
        ("2025-03", "未申报缴费工资的基数：上年基数的 110%｜2019-07 至今｜"),
    ],
)
def test_show_labels_each_kind_of_figure(capsys, month: str, expected_line: str) -> None:
    out, _ = run(capsys, "show", month)
    assert [line for line in out.splitlines() if line.startswith(expected_line)] != []


def test_show_accepts_yyyymm(capsys) -> None:
    assert run(capsys, "show", "202503") == run(capsys, "show", "2025-03")


def test_show_says_when_the_interest_rate_is_not_yet_published(capsys) -> None:
    out, _ = run(capsys, "show", "2026-11")
    assert out.splitlines()[-1] == "个人账户记账利率（2026年）：尚未公布"
    # the 2026 limits were published (7,270 / 36,348): no longer carried over
    assert "养老保险缴费基数上限：36,348.00 元｜2026-07 至 2027-06｜可信度：中｜" in out
    assert "暂定" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show", "abc"), "“abc”不是有效的年月，应写作 YYYYMM 或 YYYY-MM"),
        (("show", "2025-13"), "“2025-13”不是有效的年月：月份 13 不在 1 至 12 之间"),
        (("show", "2004-03"), "2004年03月没有政策参数“缴费基数下限”（养老保险），请联系经办机构"),
        (("show", "2027-07"), "2027年07月没有政策参数“缴费基数下限”（养老保险），请联系经办机构"),
        (("show",), "缺少年月：shebao policy show YYYY-MM"),
    ],
)
def test_show_bad_month_is_one_chinese_line_and_exit_2(capsys, args, message) -> None:
    code, out, err = run_failing(capsys, *args)
    assert code == 2
    assert out == ""
    assert err == message + "\n"


def test_unknown_action_is_one_chinese_line_and_exit_2(capsys) -> None:
    code, out, err = run_failing(capsys, "frob")
    assert (code, out) == (2, "")
    assert err == "参数 action 的取值“frob”无效，可选：'load', 'show'\n"
