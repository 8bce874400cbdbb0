"""The public pages through Django's test client: content, errors and security headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

SITE = "北京市社会保险网上申报查询系统"


def html_of(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def alert_of(html: str) -> str:
    found = re.findall(r'<p class="error" id="month-error" role="alert">(.*?)</p>', html)
    assert len(found) == 1, "expected one error message"
    return found[0]


# --- home ------------------------------------------------------------------------------


def test_home_page_has_a_chinese_title(client: Client) -> None:
    html = html_of(client, "/")
    assert re.search(rf"<title>首页.*{SITE}</title>", html)
    assert '<html lang="zh-CN">' in html
    assert "<h1>社保业务网上办，不用再到柜台排队</h1>" in html


def test_home_page_states_the_eligibility_rules(client: Client) -> None:
    html = html_of(client, "/")
    for rule in [
        "具备登录互联网条件，持有北京市政务单位数字证书（USB Key），并有计算机安全与防病毒措施；",
        "社会保险缴费结算周期为“按月”；",
        "四险（养老、失业、工伤、生育）系统与医疗保险系统中的单位基本信息"
        "（社会保险登记证号、缴费地区、单位类型、组织机构代码）一致；",
        "不存在违反社会保险相关规定的行为。",
        "有下列情形之一的不能申请：未按政策规定参加全部险种；存在欠费；参保方式为二级公司。",
        "办理时间：每月 5 日至 22 日",
        "《数字证书一证多用授权书》一份",
    ]:
        assert rule in html, rule


# --- policy ----------------------------------------------------------------------------


def test_policy_page_defaults_to_the_current_month(
    client: Client, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shebao.portal.views.timezone.localdate", lambda: dt.date(2025, 3, 15))
    html = html_of(client, "/policy/")
    assert 'value="2025-03"' in html
    assert "2025年03月属于 <strong>2024 缴费年度</strong>（2024-07 至 2025-06）" in html
    assert "35,283.00 元" in html
    assert 'role="alert"' not in html


def test_policy_page_without_a_month_shows_today(client: Client) -> None:
    today = timezone.localdate()  # Beijing time, as the view uses
    html = html_of(client, "/policy/")
    assert f'value="{today:%Y-%m}"' in html


@pytest.mark.parametrize("month", ["2025-03", "202503", "2025年3月", " 2025-03 "])
def test_policy_page_for_march_2025(client: Client, month: str) -> None:
    html = html_of(client, f"/policy/?month={month}")
    assert "2025年03月属于 <strong>2024 缴费年度</strong>（2024-07 至 2025-06）" in html
    pension_row = re.search(r"<tr><td>养老保险</td><td class=\"num\">(.*?)</td>"
                            r"<td class=\"num\">(.*?)</td>.*?<td class=\"period\">(.*?)</td>.*?"
                            r'<span class="conf conf-(\w+)">(.*?)</span>', html, re.S)
    assert pension_row is not None
    assert pension_row.groups() == (
        "6,821.00 元", "35,283.00 元", "2024-07 至 2025-06", "high", "高（官方文件或原文转载）",
    )
    assert "京人社发〔2024〕12号" in html
    assert 'role="alert"' not in html


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<td>养老保险</td><td>单位</td><td>一般</td><td class=\"num\">16%</td>", "pension rate"),
        ("<td>工伤保险</td><td>单位</td><td>8类行业</td><td class=\"num\">1.9%</td>", "class 8"),
        ("<td>个人账户当年记账额计息系数</td><td class=\"num\">1.083</td>", "interest factor"),
        ("<td>滞纳金日费率</td><td class=\"num\">0.05% / 日</td>", "late fee"),
        ("<td>医疗保险个人定额（大额医疗互助）</td><td class=\"num\">3.00 元</td>", "fixed 3 yuan"),
        ("<td class=\"period\">2019-05 至今</td>", "open-ended period"),
    ],
)
def test_policy_page_figures(client: Client, text: str, shown: str) -> None:
    html = html_of(client, "/policy/?month=2025-03")
    assert text in html, shown


def test_policy_page_shows_the_published_2026_limits_with_their_notice(client: Client) -> None:
    html = html_of(client, "/policy/?month=2026-08")
    pension_row = re.search(r"<tr><td>养老保险</td><td class=\"num\">(.*?)</td>"
                            r"<td class=\"num\">(.*?)</td>.*?<td class=\"source\">(.*?)</td>",
                            html, re.S)
    assert pension_row is not None
    lower, upper, provenance = pension_row.groups()
    assert (lower, upper) == ("7,270.00 元", "36,348.00 元")
    assert provenance == (
        '<cite class="document">《关于2026年度各项社会保险缴费工资基数上下限的通告》</cite>'
        '<span class="note">依据2026年度缴费工资基数上下限通告（上年全口径城镇单位就业人员'
        "月平均工资12116元的300%和60%）；通告原文未在本地核对</span>"
        '<span class="origin">出处：https://rsj.beijing.gov.cn</span>')
    assert "<th>依据文件与说明</th>" in html
    assert "2026 notice as cited" not in html  # the English note stays in the data


def test_policy_page_cites_the_document_and_the_chinese_note_of_a_rate(client: Client) -> None:
    html = html_of(client, "/policy/?month=2009-01")
    row = re.search(r"<tr><td>失业保险</td><td>单位</td><td>一般</td>"
                    r"<td class=\"num\">(.*?)</td>.*?<td class=\"source\">(.*?)</td>", html, re.S)
    assert row is not None
    assert row.group(1) == "1%"
    assert row.group(2).startswith(
        '<cite class="document">《关于调整本市部分社会保险缴费问题的通知》'
        '（京劳社保发〔2008〕237号）</cite>'
        '<span class="note">自2009年1月1日起执行（京劳社保发〔2008〕237号）</span>')


def test_policy_page_bad_month_shows_a_chinese_error(client: Client) -> None:
    html = html_of(client, "/policy/?month=abc")
    assert alert_of(html) == "“abc”不是有效的年月，应写作 YYYYMM 或 YYYY-MM"
    assert 'value="abc"' in html
    assert 'aria-invalid="true"' in html
    assert "缴费基数上下限" not in html


def test_policy_page_escapes_what_was_typed(client: Client) -> None:
    html = html_of(client, "/policy/?month=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("month", "label"),
    [("1990-01", "1990年01月"), ("2004-03", "2004年03月"), ("2027-07", "2027年07月")],
)
def test_policy_page_month_outside_the_data(client: Client, month: str, label: str) -> None:
    html = html_of(client, f"/policy/?month={month}")
    assert alert_of(html) == (
        f"{label}没有政策参数“缴费基数下限”（养老保险），请联系经办机构。"
        "可查询 2004-04 至 2027-06 之间的月份。"
    )
    assert "缴费基数上下限" not in html


# --- headers and errors ----------------------------------------------------------------

PUBLIC_URLS = ["/", "/policy/", "/policy/?month=2025-03", "/policy/?month=abc", "/nope/"]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_set_security_headers(client: Client, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_pages_have_no_inline_script_or_style(client: Client, url: str) -> None:
    html = client.get(url).content.decode()
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "inline script"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_admin_pages_set_headers_too(client: Client) -> None:
    response = client.get("/admin/login/")
    assert response.status_code == 302  # to /staff/login/, which asks for the TOTP too
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_404_page_is_chinese_without_a_stack_trace(client: Client) -> None:
    assert settings.DEBUG is False
    html = html_of(client, "/no-such-page/", status=404)
    assert "<h1>页面不存在</h1>" in html
    assert "您访问的页面不存在或您无权查看" in html
    for leak in ["Traceback", "Page not found", "URLconf", "shebao.urls", "DEBUG = True"]:
        assert leak not in html, leak


def test_the_site_has_a_favicon_linked_from_every_page_and_at_the_root(client: Client) -> None:
    html = client.get("/").content.decode()
    links = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert any(link.endswith(".svg") for link in links)
    for link in links:
        assert client.get(link).status_code == 200, link
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an ICO file


def test_every_table_sits_in_a_scroll_box() -> None:
    """At 390 px a wide table scrolls inside its .table-scroll box, never the page: every
    table of every template is wrapped (the printed letter's facts excepted)."""
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    bare = []
    for template in sorted(root.glob("**/templates/**/*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<table\b[^>]*>", text):
            before = text[:match.start()].rstrip()
            if "letter-facts" not in match.group(0) and \
                    not before.endswith('<div class="table-scroll">'):
                bare.append(f"{template.relative_to(root)}: {match.group(0)}")
    assert not bare, bare
