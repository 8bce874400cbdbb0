"""Public pages: the home page, the policy parameters in force for a month, and the
site icon at /favicon.ico (where browsers look before any page names one)."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shebao.lib.periods import Month, PeriodError
from shebao.policy.insurances import ORDER
from shebao.policy.selectors import Figure, Policy, PolicyMissing, policy_at, variant_label

from .templatetags.shebao_format import figure_value


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@lru_cache(maxsize=1)
def _favicon() -> bytes:
    return (settings.BASE_DIR / "static" / "shebao" / "favicon.ico").read_bytes()


def favicon(request: HttpRequest) -> HttpResponse:
    """The same icon the pages link (static shebao/favicon.svg, .ico for old browsers)."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def policy(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    raw = request.GET.get("month", "").strip()
    error = ""
    month = Month.of(today)
    if raw:
        try:
            month = Month.parse(raw)
        except PeriodError as exc:
            error = str(exc)
    context: dict[str, object] = {"month": month, "raw": raw or str(month), "error": error}
    if not error:
        try:
            p = policy_at(month)
        except PolicyMissing as exc:
            context["error"] = f"{exc}。可查询 2004-04 至 2027-06 之间的月份。"
        else:
            limits = [
                {"insurance": ins.label, "lower": p.base_lower[ins], "upper": p.base_upper[ins],
                 "lower_text": figure_value(p.base_lower[ins]),
                 "upper_text": figure_value(p.base_upper[ins])}
                for ins in ORDER
            ]
            rates = []
            for ins in ORDER:
                for party, party_label in (("employer", "单位"), ("personal", "个人")):
                    for variant, fig in sorted(p.rates[(ins, party)].items()):
                        rates.append({"insurance": ins.label, "party": party_label,
                                      "variant": variant_label(variant), "fig": fig,
                                      "text": figure_value(fig)})
            others = [
                {"label": label, "fig": fig, "text": figure_value(fig)}
                for label, fig in _other_figures(p)
            ]
            context.update(policy=p, limits=limits, rates=rates, others=others)
    return render(request, "portal/policy.html", context)


def _other_figures(p: Policy) -> list[tuple[str, Figure]]:
    labels = {i.value: str(i.label) for i in ORDER}
    out: list[tuple[str, Figure]] = []
    for ins, fig in p.personal_fixed.items():
        out.append((f"{labels[ins]}个人定额（大额医疗互助）", fig))
    for ins, variants in p.relief.items():
        for variant, fig in variants.items():
            size = "大型企业" if variant == "large" else "中小微企业"
            out.append((f"阶段性减免：{labels[ins]}（{size}单位应缴比例）", fig))
    for variant, fig in p.injury_floating.items():
        out.append((f"工伤保险浮动费率档次（{variant_label(variant.split('-')[0])}"
                    f"{'及以上' if '-' in variant else ''}）", fig))
    if p.account_share:
        out.append(("养老保险个人账户记账比例（占缴费基数）", p.account_share))
    if p.interest_factor:
        out.append(("个人账户当年记账额计息系数", p.interest_factor))
    out.append(("滞纳金日费率", p.late_fee_daily))
    if p.late_declaration_base:
        out.append(("未按时申报缴费工资的基数（占上年基数）", p.late_declaration_base))
    return out
