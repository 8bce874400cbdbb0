"""表样下载, the unit's declaration list and receipts, and the public 回执验证."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from shebao.accounts import ratelimit
from shebao.audit.services import SYSTEM
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.models import Declaration
from shebao.declarations.services import declaration_approve, declaration_return
from shebao.declarations.tests.helpers import make_backpay
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db


def backpays(holder: Holder, n: int) -> list[Declaration]:
    """n submitted 补缴 declarations of the holder's unit, oldest first."""
    person = make_person(name="赵补缴")
    make_enrolment(person, holder.unit, first=Month(2020, 1))
    made = []
    for i in range(n):
        months = (Month(2021, 1).add(i), Month(2021, 1).add(i))
        made.append(make_backpay(holder, person, months=months))
    return made


# --- 表样下载 ------------------------------------------------------------------------------


def test_forms_page_is_public_and_explains_every_column(client: Client) -> None:
    html = client.get("/unit/forms/").content.decode()
    for text in ("增员表样", "减员表样", "缴费工资表样", "补缴表样", "身份证号码", "户口性质",
                 "从下拉列表选择：城镇 或 农村", "终止年月", "补缴原因", "110105198506150014",
                 "每月 25 日（含）前提交的自当月起生效", "最多 100,000 行数据、20 MB"):
        assert text in html, text
    assert len(re.findall(r'href="/unit/forms/[a-z]+\.(?:xlsx|csv)"', html)) == 8
    assert "使用数字证书登录" in html


def test_xlsx_form_downloads_with_its_chinese_name(client: Client) -> None:
    response = client.get("/unit/forms/add.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"add-form.xlsx\"; "
        "filename*=UTF-8''%E5%A2%9E%E5%91%98%E8%A1%A8%E6%A0%B7.xlsx")  # 增员表样.xlsx
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["增员"][1]] == [
        "身份证号码", "姓名", "户口性质", "增员原因", "起始年月", "月缴费工资", "联系电话"]
    assert "填表说明" in book.sheetnames


def test_csv_form_is_the_header_line_with_a_bom(client: Client) -> None:
    response = client.get("/unit/forms/backpay.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''%E8%A1%A5%E7%BC%B4%E8%A1%A8%E6%A0%B7.csv" in (
        response["Content-Disposition"])  # 补缴表样.csv
    assert response.content.decode("utf-8") == (
        "\ufeff身份证号码,姓名,起始年月,终止年月,月缴费工资,补缴原因\r\n")


@pytest.mark.parametrize("path", ["/unit/forms/pension.xlsx", "/unit/forms/add.xls",
                                  "/unit/forms/add.pdf", "/unit/forms/add"])
def test_unknown_forms_are_404(client: Client, path: str) -> None:
    assert client.get(path).status_code == 404


# --- the unit's list and receipts ------------------------------------------------------------


def test_list_shows_the_units_declarations_newest_first_with_return_reasons(
        unit_client: Client, holder: Holder, tmp_path: Path) -> None:
    first, second = backpays(holder, 2)
    declaration_return(first, reason="缺少劳动合同复印件", actor=SYSTEM)
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    foreign = backpays(other, 1)[0]

    html = unit_client.get("/unit/declarations/").content.decode()

    table = html.split('id="declarations"')[1]
    assert table.index(str(second.receipt_no)) < table.index(str(first.receipt_no))
    for text in ("补缴", "报盘文件", "审核中", "已退回", "退回原因：缺少劳动合同复印件",
                 f'href="/unit/declarations/{first.receipt_no}/"'):
        assert text in table, text
    assert str(foreign.receipt_no) not in html and "北京别家单位有限公司" not in html
    assert re.search(r'<td class="num">1</td>', table)  # line count


def test_list_is_paginated_with_a_fixed_number_of_queries(unit_client: Client,
                                                          holder: Holder) -> None:
    backpays(holder, 3)
    with CaptureQueriesContext(connection) as few:
        unit_client.get("/unit/declarations/")
    backpays(holder, 20)
    with CaptureQueriesContext(connection) as many:
        html = unit_client.get("/unit/declarations/").content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 10
    assert "第 1 / 2 页" in html and html.count('<tr><td class="mono">') == 20
    assert unit_client.get("/unit/declarations/?page=2").content.decode().count(
        '<tr><td class="mono">') == 3


def _receipts(html: str) -> list[str]:
    return re.findall(r'<tr><td class="mono"><a href="/unit/declarations/([0-9A-Z]+)/"', html)


def test_list_filters_by_kind_status_person_and_date(unit_client: Client,
                                                     holder: Holder) -> None:
    first, _, third = backpays(holder, 3)
    declaration_return(first, reason="缺少劳动合同复印件", actor=SYSTEM)
    other = make_person(name="钱另一人")
    make_enrolment(other, holder.unit, first=Month(2020, 1))
    theirs = make_backpay(holder, other, months=(Month(2022, 1), Month(2022, 1)))
    Declaration.objects.filter(pk=third.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=40))

    def listed(**params: str) -> list[str]:
        response = unit_client.get("/unit/declarations/", params)
        assert response.status_code == 200
        return _receipts(response.content.decode())

    everything = listed()
    assert len(everything) == 4
    assert listed(status="returned") == [first.receipt_no]
    assert listed(kind="backpay", status="reviewing") == [
        r for r in everything if r != first.receipt_no]
    assert listed(kind="enrol") == []
    assert listed(id_number=other.id_number) == [theirs.receipt_no]
    assert listed(id_number=other.id_number.lower()[:-1] + other.id_number[-1].lower()) == [
        theirs.receipt_no]  # a lower-case x or spaces as typed
    today = timezone.localdate()
    assert third.receipt_no not in listed(since=str(today))
    assert listed(until=str(today - dt.timedelta(days=30))) == [third.receipt_no]
    html = unit_client.get("/unit/declarations/", {"status": "returned"}).content.decode()
    assert "共找到 <strong>1</strong> 份符合条件的申报" in html and "清除条件" in html


def test_list_filter_errors_are_shown_and_the_field_ignored(unit_client: Client,
                                                            holder: Holder) -> None:
    backpays(holder, 2)
    response = unit_client.get("/unit/declarations/", {
        "id_number": "110105198506150015", "since": "2026-13-01", "kind": "pension"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "身份证号码校验位错误：应为 4，实为 5" in html
    assert "请输入正确的日期，如 2026-01-31" in html
    assert "请从列表中选择业务类型" in html
    assert len(_receipts(html)) == 2  # nothing valid to filter by: the whole list
    html = unit_client.get("/unit/declarations/", {
        "since": "2026-05-02", "until": "2026-05-01"}).content.decode()
    assert "结束日期不能早于开始日期" in html


def test_a_filter_never_reaches_another_units_declarations(unit_client: Client,
                                                           holder: Holder,
                                                           tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    person = make_person(name="孙两家")
    make_enrolment(person, other.unit, first=Month(2020, 1))
    make_backpay(other, person, months=(Month(2021, 1), Month(2021, 1)))
    html = unit_client.get("/unit/declarations/",
                           {"id_number": person.id_number}).content.decode()
    assert _receipts(html) == [] and "没有符合条件的申报" in html


def test_receipt_shows_every_fact_and_the_lines(unit_client: Client, holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    html = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/").content.decode()
    assert holder.binding is not None
    submitted = timezone.localtime(declaration.submitted_at)
    for text in ("社会保险网上申报回执", declaration.receipt_no, declaration.verification_code,
                 holder.unit.name, holder.unit.number, "补缴", "1 行",
                 f"{submitted:%Y-%m-%d %H:%M:%S}", "审核中", declaration.content_digest,
                 holder.binding.fingerprint, holder.binding.subject.split(",")[0],
                 "赵补缴", "2021年01月", "8,000.00", "入职当月漏报", "打印回执"):
        assert str(text) in html, text
    assert '<script src="/static/declarations/print.js" defer></script>' in html
    assert "<script>" not in html and "style=" not in html


def test_receipt_of_another_unit_is_404(unit_client: Client, tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    foreign = backpays(other, 1)[0]
    assert unit_client.get(f"/unit/declarations/{foreign.receipt_no}/").status_code == 404
    assert unit_client.get("/unit/declarations/20260101AAAAAAAA/").status_code == 404


def test_drafts_have_no_receipt_page(unit_client: Client, holder: Holder,
                                     wage_window: object) -> None:
    from shebao.declarations.batchfiles import WageRecord
    from shebao.declarations.services import declaration_create

    person = make_person()
    draft = declaration_create(unit=holder.unit, records=[
        WageRecord(row=2, id_number=person.id_number, name=person.name, wage=900_000)],
        actor=SYSTEM)
    assert draft.receipt_no is None
    html = unit_client.get("/unit/declarations/").content.decode()
    # Listed among the drafts (with no receipt number), never among the submitted.
    assert 'id="declarations"' not in html and "本单位还没有提交过申报" in html
    assert f'href="/unit/declarations/drafts/{draft.draft_token}/"' in html


# --- 回执验证 ----------------------------------------------------------------------------------


def test_verification_shows_the_declaration_without_personal_data(client: Client,
                                                                  holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    person = declaration.lines.get()
    code = str(declaration.verification_code)
    typed = f"{code[:4].lower()}-{code[4:8]} {code[8:]}"

    response = client.post("/verify/", {"code": typed})

    html = response.content.decode()
    assert response.status_code == 200
    for text in ("回执真实有效", declaration.receipt_no, "补缴", holder.unit.name,
                 holder.unit.number, "1 行", "审核中", declaration.content_digest,
                 f"CN={holder.unit.name}", "签名有效"):
        assert str(text) in html, text
    assert person.id_number not in html and person.name not in html
    assert "2021年" not in html and "8,000" not in html


def test_unknown_code_is_not_found_in_chinese(client: Client) -> None:
    response = client.post("/verify/", {"code": "ABCDEFGHJKLM"})
    assert response.status_code == 200
    assert "未找到该验证码对应的回执" in response.content.decode()


@pytest.mark.parametrize("code", ["", "ABC", "ABCDEFGHJKLM1", "一二三四五六七八九十百千"])
def test_malformed_code_is_explained(client: Client, code: str) -> None:
    response = client.post("/verify/", {"code": code})
    assert response.status_code == 400
    assert ("请输入回执验证码" if not code else "验证码应为 12 位字母和数字") in (
        response.content.decode())


def test_verification_is_rate_limited_by_address(client: Client,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "PUBLIC_CHECK_LIMIT", 3)
    for _ in range(3):
        assert client.post("/verify/", {"code": "ABCDEFGHJKLM"}).status_code == 200
    response = client.post("/verify/", {"code": "ABCDEFGHJKLM"})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/verify/", {"code": "ABCDEFGHJKLM"}).status_code == 200


def test_verification_page_is_in_the_navigation(client: Client) -> None:
    html = client.get("/verify/").content.decode()
    assert '<a href="/verify/" aria-current="page">回执验证</a>' in html
    assert 'method="post"' in html


def test_tampered_content_shows_an_invalid_signature(client: Client, holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    Declaration.objects.filter(pk=declaration.pk).update(
        content=declaration.content.replace("800000", "80000"))
    html = client.post("/verify/", {"code": declaration.verification_code}).content.decode()
    assert "签名无效" in html


def test_effective_month_is_on_the_receipt(unit_client: Client, holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    html = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/").content.decode()
    assert Month.from_int(int(declaration.effective_month or 0)).label in html


def test_receipt_pdf_is_a_pdf_with_the_embedded_font(unit_client: Client,
                                                     holder: Holder) -> None:
    declaration = backpays(holder, 1)[0]
    response = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-") and b"/FontFile2" in response.content


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text of a PDF as poppler's pdftotext reads it (layout kept, pages by \f)."""
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_receipt_page_links_its_pdf_which_carries_each_line_and_its_amounts(
        unit_client: Client, holder: Holder, tmp_path: Path) -> None:
    declaration = declaration_approve(backpays(holder, 1)[0], actor=SYSTEM,
                                      today=timezone.localdate())
    line = declaration.lines.get()
    html = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/").content.decode()
    pdf_url = f"/unit/declarations/{declaration.receipt_no}/receipt.pdf"
    assert f'href="{pdf_url}"' in html
    response = unit_client.get(pdf_url)
    text = pdf_text(response.content, tmp_path)
    assert "申报明细（共 1 行）" in text
    row = next(t for t in text.splitlines() if line.id_number in t)
    assert "赵补缴" in row and "2021年01月" in row and "8,000.00" in row
    assert format_fen_grouped(line.data["total"]) in row
    assert format_fen_grouped(line.data["late_fee"]) in row


def test_receipt_pdf_of_a_backpay_under_review_says_when_its_amounts_are_set(
        unit_client: Client, holder: Holder, tmp_path: Path) -> None:
    declaration = backpays(holder, 1)[0]
    response = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/receipt.pdf")
    text = pdf_text(response.content, tmp_path)
    assert "补缴金额在审核通过时按当日核定" in text


def test_receipt_pdf_of_another_unit_is_404(unit_client: Client, tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    declaration = backpays(other, 1)[0]
    assert unit_client.get(
        f"/unit/declarations/{declaration.receipt_no}/receipt.pdf").status_code == 404
