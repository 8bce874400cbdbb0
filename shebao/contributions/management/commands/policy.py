"""`shebao policy load` and `shebao policy show YYYY-MM`: the shipped policy file.

`load` makes the shipped rows equal to policy/data/beijing_policy.csv (rows matched by
identity are updated, new ones added, ones the file no longer has removed; staff
corrections are left alone), records one audit event listing the figures that changed,
and settles again every month already settled that a changed figure covers: open
months get their rows replaced, closed months get difference rows (补差) billed in the
first open month. All in one transaction, so the figures never apply without their
difference; a second run finds nothing changed and does nothing. Run by `make run` and
at every deployment, after `shebao migrate`.

`show` prints every figure in force in a month with its confidence and source, as staff
would check them before a settlement run.

It lives in `contributions`, not `policy`: loading figures re-settles bills
(`resettle.policy_publish`), and `policy` sits below `contributions` (the layer contract
in pyproject.toml).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import CommandParser

from shebao.audit.services import SYSTEM
from shebao.contributions.resettle import policy_publish
from shebao.contributions.settlement import SettlementError
from shebao.lib.cli import ChineseCommand, UsageError
from shebao.lib.money import format_fen_grouped, format_ppm_percent
from shebao.lib.periods import Month, PeriodError
from shebao.policy.loader import FigureChange, PolicyFileError
from shebao.policy.models import PolicyRow
from shebao.policy.selectors import (
    KEY_LABELS,
    PARTY_LABELS,
    Figure,
    PolicyMissing,
    clear_cache,
    figure_of,
    insurance_label,
    interest_rate_for_year,
    policy_at,
)

SIZE_LABELS = {"large": "大型企业", "small_medium": "中小微企业"}


class Command(ChineseCommand):
    help = "政策参数：load 重新载入随程序发布的政策参数文件；show YYYY-MM 显示该月适用的参数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load", "show"])
        parser.add_argument("month", nargs="?", help="年月，YYYY-MM 或 YYYYMM（show 用）")
        parser.add_argument("--dry-run", action="store_true",
                            help="只统计将新增和更新的条数，不写入（load 用）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            if options["month"]:
                raise UsageError("policy load 不接受年月参数")
            self._load(dry_run=options["dry_run"])
        else:
            if not options["month"]:
                raise UsageError("缺少年月：shebao policy show YYYY-MM")
            self._show(options["month"])

    def _load(self, *, dry_run: bool) -> None:
        try:
            load, resettled = policy_publish(actor=SYSTEM, dry_run=dry_run)
        except (PolicyFileError, PolicyMissing, SettlementError) as exc:
            raise UsageError(f"政策参数未载入：{exc}") from exc
        finally:
            clear_cache()  # figures of a rolled-back load must not be served
        prefix = "（试运行，未写入）" if dry_run else ""
        self.stdout.write(f"{prefix}已载入政策参数文件 {load.file}：新增 {load.created} 条，"
                          f"更新 {load.updated} 条，删除 {load.removed} 条")
        if load.first or not load.figures:
            return
        self.stdout.write("变更的参数：")
        for change in load.figures:
            for line in _change_lines(change):
                self.stdout.write(f"  {line}")
        if not resettled:
            self.stdout.write("受影响的已核定月份：无")
            return
        self.stdout.write("受影响的已核定月份已按新参数重新核定：")
        for result, bill in resettled:
            if bill > result.month:
                self.stdout.write(f"  {result.month}（已关账）：补差 {result.difference_rows} 条，"
                                  f"记入 {bill.label}应缴")
            else:
                self.stdout.write(f"  {result.month}（未关账）：重新核定 {result.rows} 条缴费明细")

    def _show(self, text: str) -> None:
        try:
            month = Month.parse(text)
            policy = policy_at(month)
        except (PeriodError, PolicyMissing) as exc:
            raise UsageError(str(exc)) from exc
        year = policy.policy_year
        self.stdout.write(f"{month.label}适用的政策参数（{year.value} 缴费年度，"
                          f"{year.period_label}）")
        for fig in policy.figures()[1:]:
            self.stdout.write(_line(fig))
        try:
            rate = interest_rate_for_year(month.year)
        except PolicyMissing:
            self.stdout.write(f"个人账户记账利率（{month.year}年）：尚未公布")
        else:
            self.stdout.write(_line(rate, f"个人账户记账利率（{month.year}年）"))


def _line(fig: Figure, label: str = "") -> str:
    return (f"{label or figure_label(fig)}：{figure_text(fig)}"
            f"｜{fig.period_label}｜可信度：{fig.confidence_label}｜出处：{fig.source}")


def figure_label(fig: Figure) -> str:
    """A Chinese name for a figure: 养老保险单位缴费比例（3类行业）."""
    ins = insurance_label(fig.insurance)
    key = KEY_LABELS.get(fig.key, fig.key)
    variant = fig.variant
    if fig.key == "relief_factor":
        return f"{key}（{ins}，{SIZE_LABELS.get(variant, variant)}）"
    if fig.key == "injury_floating":
        classes = variant.removeprefix("class")
        return f"{key}（{classes.replace('-', '–')}类行业）"
    if fig.key == "rate":
        suffix = ""
        if variant == "rural":
            suffix = "（农村户口）"
        elif variant.startswith("class"):
            suffix = f"（{variant.removeprefix('class')}类行业）"
        return f"{ins}{PARTY_LABELS.get(fig.party, fig.party)}{key}{suffix}"
    if fig.insurance == "all":
        return key
    return f"{ins}{key}"


def figure_text(fig: Figure) -> str:
    """The value as people read it: 35,283.00 元, 16%, 0.05%/日, 1.083, 上年基数的 110%."""
    if fig.unit == "yuan":
        return f"{format_fen_grouped(fig.value)} 元"
    if fig.unit == "percent_per_day":
        return f"{format_ppm_percent(fig.value)}%/日"
    if fig.unit == "percent_list":
        return "、".join(f"{v}%" for v in fig.values)
    if fig.unit == "factor":
        return format(Decimal(fig.raw).normalize(), "f")
    if fig.unit == "label":
        return f"{fig.value} 年度"
    if fig.unit == "percent_of_due":
        return f"应缴额的 {format_ppm_percent(fig.value)}%"
    if fig.unit == "percent_of_previous_base":
        return f"上年基数的 {format_ppm_percent(fig.value)}%"
    return f"{format_ppm_percent(fig.value)}%"


def _change_lines(change: FigureChange) -> list[str]:
    """'养老保险缴费基数上限 2026-07 起：35,811.00 元（2026-07 至今）→ 36,348.00 元（…）'."""
    def text(row: dict[str, Any] | None, insurance: str) -> str:
        if row is None:
            return "无"
        fig = figure_of(PolicyRow(**row), insurance)
        return f"{figure_text(fig)}（{fig.period_label}）"

    row = change.row
    lines = []
    for insurance in row["insurance"].split(","):
        label = figure_label(figure_of(PolicyRow(**row), insurance.strip()))
        lines.append(f"{label} {Month.from_int(row['first_month'])} 起："
                     f"{text(change.before, insurance)} → {text(change.after, insurance)}")
    return lines
