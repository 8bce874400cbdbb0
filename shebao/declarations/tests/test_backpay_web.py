"""补缴申报 on the web: errors at their fields, the evidence checks, the quote equal to the
engine's, draft and evidence created together (or not at all), submit → 审核中, the
staff's evidence download, approval → back-payment contributions."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import make_staff
from shebao.audit.models import Event
from shebao.audit.services import Actor
from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.contributions.backpay import backpay_quote
from shebao.contributions.models import Contribution, ContributionKind
from shebao.contributions.tests.helpers import long_count
from shebao.declarations.backpay import EVIDENCE_MAX_BYTES, evidence_check, line_wages
from shebao.declarations.batchfiles import BackpayRecord
from shebao.declarations.models import Declaration, DeclarationLine, Evidence, Source, Status
from shebao.declarations.services import declaration_approve, declaration_create
from shebao.declarations.tests.helpers import make_backpay, make_billed, submit, today, token_of
from shebao.declarations.web import backpay as backpay_web
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month, month_range
from shebao.registry.models import Person
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

URL = "/unit/declarations/backpay/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
STAFF = Actor("staff", "shenhe")


@pytest.fixture
def person(holder: Holder) -> Person:
    person = make_person(name="赵补缴")
    make_enrolment(person, holder.unit, first=Month(2023, 1))
    return person


def form(person: Person, **change: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id_number": person.id_number, "name": person.name,
                            "start": "2025-01", "end": "2025-03", "wage": "9,500.00",
                            "reason": "入职后前三个月漏报", "action": "quote"}
    data.update(change)
    return data


def pdf(name: str = "劳动合同.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def errors_at(html: str) -> dict[str, list[str]]:
    """Field errors by field name (the label before them names the field); None's are
    the form's own errors."""
    found: dict[str, list[str]] = defaultdict(list)
    current = ""
    pattern = (r'for="id_(\w+)"|<span class="field-error" role="alert">([^<]+)</span>'
               r'|<div class="form-errors" role="alert"><p>([^<]+)</p>')
    for m in re.finditer(pattern, html):
        if m.group(1):
            current = m.group(1)
        elif m.group(2):
            found[current].append(m.group(2))
        else:
            found["__all__"].append(m.group(3))
    return dict(found)


def nothing_stored() -> bool:
    return not (Declaration.objects.exists() or DeclarationLine.objects.exists()
                or Evidence.objects.exists())


# --- the form -----------------------------------------------------------------------------


def test_page_offers_the_fields_and_evidence_input(unit_client: Client) -> None:
    html = unit_client.get(URL).content.decode()
    for label in ("身份证号码", "姓名", "起始年月", "终止年月", "月缴费工资（元）",
                  "按月填写各月工资", "补缴原因", "证明材料", "试算", "下一步：确认并签名"):
        assert label in html
    assert 'type="month"' in html and 'min="2004-11"' in html
    last = Month.of(today()).add(-1)
    assert f'max="{last}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert re.search(r'<input type="file" name="evidence" accept="[^"]*\.pdf[^"]*" '
                     r'multiple', html)


def test_an_empty_form_names_every_missing_field(unit_client: Client) -> None:
    response = unit_client.post(URL, {"action": "quote"})
    assert response.status_code == 400
    errors = errors_at(response.content.decode())
    assert errors["id_number"] == ["身份证号码不能为空"]
    assert errors["name"] == ["姓名不能为空"]
    assert errors["start"] == ["起始年月不能为空"]
    assert errors["end"] == ["终止年月不能为空"]
    assert errors["wage"] == ["月缴费工资不能为空"]
    assert errors["reason"] == ["补缴原因不能为空"]
    assert nothing_stored()


def test_a_person_of_another_unit_is_refused_at_the_id_number(
        unit_client: Client, holder: Holder) -> None:
    other = make_person(name="钱外单位")
    make_enrolment(other, make_unit(), first=Month(2023, 1))
    response = unit_client.post(URL, form(other, action="next", evidence=pdf()))
    assert response.status_code == 400
    errors = errors_at(response.content.decode())
    assert errors["id_number"] == ["该人员从未在本单位参保，不能由本单位补缴"]
    assert "evidence" not in errors
    assert nothing_stored()


def test_months_already_billed_are_refused_at_the_start_month(
        unit_client: Client, holder: Holder, person: Person) -> None:
    """Re-declaring months already back-paid (or settled) for the person: nothing is
    quoted or created, and the months are named at 起始年月."""
    make_billed(person, holder.unit, Month(2025, 1), Month(2025, 2), kind="backpay",
                bill_month=Month(2025, 4))
    for action in ("quote", "next"):
        response = unit_client.post(URL, form(person, action=action, evidence=pdf()))
        assert response.status_code == 400
        html = response.content.decode()
        assert errors_at(html)["start"][0].startswith(
            "2025年01月至2025年02月 已核定缴费，不能重复补缴")
        assert 'id="quote-totals"' not in html
    assert nothing_stored()


def test_an_unknown_person_and_a_wrong_name(unit_client: Client, person: Person) -> None:
    stranger = make_person()
    Person.objects.filter(pk=stranger.pk).delete()
    errors = errors_at(unit_client.post(URL, form(stranger)).content.decode())
    assert "社保登记中没有该身份证号码的人员" in errors["id_number"][0]
    errors = errors_at(unit_client.post(URL, form(person, name="赵不对")).content.decode())
    assert "姓名与该身份证号码的登记姓名不一致" in errors["name"][0]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"start": "2004-10"}, "start",
     "起始年月 2004年10月 早于 2004年11月：补缴最早可到 2004 年 11 月"),
    ({"start": "200410", "end": "200412"}, "start", "早于 2004年11月"),
    ({"end": "current"}, "end", "不早于本月"),
    ({"start": "2025-03", "end": "2025-01"}, "end", "终止年月 2025年01月 早于起始年月 2025年03月"),
    ({"start": "2025-13"}, "start", "不是有效的年月"),
    ({"wage": "九千五"}, "wage", "月缴费工资"),
    ({"wage": "0"}, "wage", "月缴费工资必须大于零"),
    ({"reason": "漏" * 201}, "reason", "补缴原因不能超过 200 个字"),
])
def test_field_errors_are_shown_at_their_fields(unit_client: Client, person: Person,
                                                change: dict[str, str], field: str,
                                                message: str) -> None:
    if change.get("end") == "current":
        change = {"start": "2025-01", "end": str(Month.of(today()))}
    response = unit_client.post(URL, form(person, action="next", evidence=pdf(), **change))
    assert response.status_code == 400
    errors = errors_at(response.content.decode())
    assert any(message in e for e in errors[field]), errors
    assert set(errors) == {field}
    assert 'id="quote"' not in response.content.decode()
    assert nothing_stored()


# --- evidence -----------------------------------------------------------------------------


@pytest.mark.parametrize(("files", "message"), [
    ([], "请上传证明材料"),
    ([SimpleUploadedFile("合同.docx", b"PK\x03\x04 word")],
     "“合同.docx”不是 PDF、JPG 或 PNG 文件：证明材料只接受扩展名为 .pdf、.jpg、.jpeg、.png"),
    ([pdf("工资表.pdf", b"<html>not a pdf</html>")],
     "“工资表.pdf”的内容不是PDF 文档（文件可能已损坏，或只是改了扩展名）"),
    ([pdf("照片.png", PDF[:0])], "“照片.png”是空文件"),
    ([pdf("a.pdf"), pdf("b.pdf")], "“b.pdf”与“a.pdf”内容相同"),
    ([pdf("扫描件.pdf", PDF + b"0" * EVIDENCE_MAX_BYTES)],
     "“扫描件.pdf”超过单个文件 5 MB 的上限"),
    ([pdf(f"第{n}页.pdf", PDF + bytes([n])) for n in range(6)],
     "证明材料最多 5 个文件，本次选择了 6 个"),
])
def test_bad_evidence_is_refused_and_nothing_is_created(
        unit_client: Client, person: Person, files: list[SimpleUploadedFile],
        message: str) -> None:
    response = unit_client.post(URL, form(person, action="next", evidence=files))
    assert response.status_code == 400
    html = response.content.decode()
    errors = errors_at(html)
    assert set(errors) == {"evidence"}
    assert any(e.startswith(message) for e in errors["evidence"]), errors
    assert 'id="quote"' in html  # the rest was fine: the quote is shown
    assert nothing_stored()


def test_evidence_is_judged_by_its_content_not_its_name() -> None:
    good, errors = evidence_check([("扫描.JPG", JPG), ("工资条.jpeg", PNG), ("合同.pdf", PDF)])
    assert errors == []
    assert [(f.name, f.content_type) for f in good] == [
        ("扫描.JPG", "image/jpeg"), ("工资条.jpeg", "image/png"), ("合同.pdf", "application/pdf")]
    good, errors = evidence_check([("C:\\Users\\hr\\合同\x07.pdf", PDF)])
    assert good[0].name == "合同.pdf"
    assert evidence_check([], required=False) == ([], [])


def test_a_request_too_large_is_refused_unread(unit_client: Client, person: Person) -> None:
    response = unit_client.post(URL, form(person, action="next", evidence=pdf()),
                                CONTENT_LENGTH=str(backpay_web.REQUEST_MAX + 1))
    assert response.status_code == 413
    assert "所选证明材料合计超过 25 MB，未受理" in response.content.decode()
    assert nothing_stored()


# --- the quote ----------------------------------------------------------------------------


def month_rows(html: str, month: Month) -> list[list[str]]:
    body = html.split(f'<tbody class="bp-month" data-month="{month}">')[1].split("</tbody>")[0]
    return [re.findall(r'<td class="num">([^<]*)</td>', row) for row in body.split("<tr")[1:]]


def test_quote_shows_what_the_engine_computes(unit_client: Client, holder: Holder,
                                              person: Person) -> None:
    response = unit_client.post(URL, form(person))
    assert response.status_code == 200
    html = response.content.decode()
    quote = backpay_quote(person=person, unit=holder.unit,
                          wages=dict.fromkeys(month_range(Month(2025, 1), Month(2025, 3)),
                                              950_000), as_of=today())
    totals = html.split('id="quote-totals"')[1].split("</table>")[0]
    for amount in (quote.employer_total, quote.personal_total, quote.total,
                   quote.late_fee_total, quote.account_credit_total):
        assert f"{format_fen_grouped(amount)} 元" in totals
    assert (f'<strong id="quote-due">{format_fen_grouped(quote.total + quote.late_fee_total)}'
            "</strong>") in totals
    assert "1 人，共 3 个人月" in totals
    for item in quote.months:
        rows = month_rows(html, item.month)
        assert rows[:5] == [[format_fen_grouped(v) for v in (c.base, c.employer, c.personal,
                                                             c.total)]
                            for c in item.calc.lines]
        assert rows[5] == [format_fen_grouped(v) for v in (
            item.calc.employer_total, item.calc.personal_total, item.calc.total)]
        assert f"滞纳金 <strong>{format_fen_grouped(item.late_fee)}</strong> 元" in html
    assert nothing_stored()


def test_a_quote_the_engine_refuses_is_explained(unit_client: Client, holder: Holder,
                                                 person: Person) -> None:
    holder.unit.injury_rates.all().delete()
    response = unit_client.post(URL, form(person, action="next", evidence=pdf()))
    assert response.status_code == 400
    errors = errors_at(response.content.decode())
    assert errors == {"__all__": [f"单位 {holder.unit.number} 在 2025-01 没有工伤保险费率记录，"
                                  "请联系经办机构"]}
    assert nothing_stored()


def test_drafts_per_unit_are_rate_limited(unit_client: Client, person: Person,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backpay_web, "DRAFT_RATE_LIMIT", 1)
    next_step(unit_client, person)
    response = unit_client.post(URL, form(person, action="next", start="2024-01",
                                          end="2024-01", evidence=pdf()))
    assert response.status_code == 429
    assert "填报过于频繁，请一小时后再试" in response.content.decode()
    assert Declaration.objects.count() == 1


def test_per_month_wages_table_then_quote(unit_client: Client, holder: Holder,
                                          person: Person) -> None:
    html = unit_client.post(URL, form(person, by_month="on")).content.decode()
    assert 'id="month-wages"' in html
    for month in ("202501", "202502", "202503"):  # prefilled with the single wage
        assert f'name="wage_{month}" value="9,500.00"' in html
    response = unit_client.post(URL, form(person, by_month="on", wage_202501="8000",
                                          wage_202502="9000", wage_202503="30000"))
    assert response.status_code == 200
    wages = {Month(2025, 1): 800_000, Month(2025, 2): 900_000, Month(2025, 3): 3_000_000}
    quote = backpay_quote(person=person, unit=holder.unit, wages=wages, as_of=today())
    html = response.content.decode()
    assert f'<strong id="quote-due">{format_fen_grouped(quote.total + quote.late_fee_total)}' \
        in html
    assert "月缴费工资<br>30,000.00 元" in html


def test_per_month_errors_and_limit(unit_client: Client, person: Person) -> None:
    response = unit_client.post(URL, form(person, by_month="on", wage_202502="",
                                          wage_202503="-5"))
    errors = errors_at(response.content.decode())
    assert errors["wage_202502"] == ["2025年02月：月缴费工资不能为空"]
    assert errors["wage_202503"][0].startswith("2025年03月：月缴费工资")
    assert set(errors) == {"wage_202502", "wage_202503"}
    response = unit_client.post(URL, form(person, by_month="on", start="2022-01",
                                          end="2025-01"))
    errors = errors_at(response.content.decode())
    assert errors["by_month"] == [
        "按月填写最多 36 个月，补缴期间 2022年01月至2025年01月共 37 个月："
        "请分段申报，或取消勾选、按统一的月缴费工资填写"]


# --- draft, submit, review ----------------------------------------------------------------


def next_step(client: Client, person: Person, *files: SimpleUploadedFile,
              **change: Any) -> Declaration:
    response = client.post(URL, form(person, action="next",
                                     evidence=list(files) or [pdf()], **change))
    token = token_of(response)
    assert response["Location"] == f"/unit/declarations/drafts/{token}/"
    return Declaration.objects.get(draft_token=token)


def test_next_creates_the_draft_with_its_evidence(unit_client: Client, holder: Holder,
                                                  person: Person) -> None:
    draft = next_step(unit_client, person, pdf(), SimpleUploadedFile("工资条.png", PNG))
    assert (draft.kind, draft.status, draft.source) == ("backpay", Status.DRAFT, Source.WEB)
    line = draft.lines.get()
    assert (line.id_number, line.name) == (person.id_number, person.name)
    assert line.data == {"start": "2025-01", "end": "2025-03", "wage": 950_000,
                         "reason": "入职后前三个月漏报"}
    files = list(draft.evidence.order_by("id").values_list("file_name", "content_type", "size"))
    assert files == [("劳动合同.pdf", "application/pdf", len(PDF)),
                     ("工资条.png", "image/png", len(PNG))]
    assert bytes(draft.evidence.get(content_type="image/png").data) == PNG
    actions = list(Event.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["declaration_create", "declaration_evidence_attach"]

    html = unit_client.get(f"/unit/declarations/drafts/{draft.draft_token}/").content.decode()
    assert "确认并签名提交" in html and 'id="quote-totals"' in html
    quote = backpay_quote(person=person, unit=holder.unit,
                          wages=line_wages(line.data), as_of=today())
    assert (f'<strong id="quote-due">{format_fen_grouped(quote.total + quote.late_fee_total)}'
            "</strong>") in html
    evidence = html.split('id="evidence-list"')[1].split("</ul>")[0]
    assert "劳动合同.pdf" in evidence and "PDF 文档" in evidence
    assert "工资条.png" in evidence and "PNG 图片" in evidence


def test_per_month_wages_are_kept_on_the_line(unit_client: Client, person: Person) -> None:
    draft = next_step(unit_client, person, by_month="on", wage_202501="8000",
                      wage_202502="9000", wage_202503="9000")
    line = draft.lines.get()
    assert line.data["wage"] == 800_000
    assert line.data["wages"] == {"202501": 800_000, "202502": 900_000, "202503": 900_000}
    assert line_wages(line.data) == {Month(2025, 1): 800_000, Month(2025, 2): 900_000,
                                     Month(2025, 3): 900_000}
    same = next_step(unit_client, person, pdf("另一份.pdf", PDF + b"x"), by_month="on",
                     start="2024-01", end="2024-02", wage="7000")
    assert "wages" not in same.lines.get().data  # all months alike: one wage


def test_draft_and_evidence_are_created_together_or_not_at_all(
        unit_client: Client, person: Person, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Evidence.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        unit_client.post(URL, form(person, action="next", evidence=pdf()))
    assert nothing_stored()
    assert not Event.objects.filter(action="declaration_create").exists()


def staff_client() -> Client:
    client = Client()
    client.force_login(make_staff(StaffRole.REVIEW, "shenhe"))
    return client


def test_submit_review_download_and_approve(unit_client: Client, holder: Holder,
                                            person: Person) -> None:
    draft = next_step(unit_client, person, pdf(), SimpleUploadedFile("考勤.jpg", JPG))
    response = submit(unit_client, str(draft.draft_token), holder, base="drafts")
    assert response.status_code == 200, response.content
    draft.refresh_from_db()
    assert draft.status == Status.REVIEWING
    html = unit_client.get(f"/unit/declarations/{draft.receipt_no}/").content.decode()
    assert "审核中" in html
    assert "劳动合同.pdf" in html and "考勤.jpg" in html
    assert "/evidence/" not in html  # the unit sees names, no download

    staff = staff_client()
    detail = staff.get(f"/backoffice/declarations/{draft.receipt_no}/").content.decode()
    links = re.findall(r'href="(/backoffice/declarations/\w+/evidence/(\d+)/)">([^<]+)</a>',
                       detail)
    assert [name for _, _, name in links] == ["劳动合同.pdf", "考勤.jpg"]
    assert 'id="quote-totals"' in detail  # what approving will bill
    response = staff.get(links[0][0])
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"evidence-{links[0][1]}.pdf\"; "
        "filename*=UTF-8''%E5%8A%B3%E5%8A%A8%E5%90%88%E5%90%8C.pdf")
    jpg = staff.get(links[1][0])
    assert (jpg.content, jpg["Content-Type"]) == (JPG, "image/jpeg")

    approved = declaration_approve(draft, actor=STAFF, today=today())
    assert approved.status == Status.EFFECTIVE
    quote = backpay_quote(person=person, unit=holder.unit,
                          wages=dict.fromkeys(month_range(Month(2025, 1), Month(2025, 3)),
                                              950_000), as_of=today())
    rows = Contribution.objects.filter(unit=holder.unit, person=person,
                                       kind=ContributionKind.BACKPAY)
    assert sorted(set(rows.values_list("month", flat=True))) == [202501, 202502, 202503]
    assert long_count(rows) == 15
    assert (sum(r.employer for r in rows), sum(r.personal for r in rows)) == (
        quote.employer_total, quote.personal_total)


def test_approved_per_month_wages_are_the_bases(unit_client: Client, holder: Holder,
                                                person: Person) -> None:
    draft = next_step(unit_client, person, by_month="on", wage_202501="8000",
                      wage_202502="9000", wage_202503="12000")
    assert submit(unit_client, str(draft.draft_token), holder,
                  base="drafts").status_code == 200
    declaration_approve(Declaration.objects.get(pk=draft.pk), actor=STAFF, today=today())
    wages = {Month(2025, 1): 800_000, Month(2025, 2): 900_000, Month(2025, 3): 1_200_000}
    quote = backpay_quote(person=person, unit=holder.unit, wages=wages, as_of=today())
    pension = dict(Contribution.objects.filter(person=person, kind=ContributionKind.BACKPAY)
                   .values_list("month", "pension_base"))
    assert pension == {int(m.month): m.calc.lines[0].base for m in quote.months}


def test_evidence_of_another_declaration_or_guessed_is_not_found(
        unit_client: Client, holder: Holder, person: Person, local_ca: LocalCa,
        tmp_path: Path) -> None:
    mine = next_step(unit_client, person)
    submit(unit_client, str(mine.draft_token), holder, base="drafts")
    mine.refresh_from_db()
    other_holder = unit_with_certificate(tmp_path / "b", name="北京乙单位有限公司")
    other_person = make_person()
    make_enrolment(other_person, other_holder.unit, first=Month(2023, 1))
    other = make_backpay(other_holder, other_person)
    theirs = Evidence.objects.create(declaration=other, file_name="乙.pdf",
                                     content_type="application/pdf", size=len(PDF),
                                     digest="b" * 64, data=PDF)
    evidence = mine.evidence.get()
    staff = staff_client()
    base = f"/backoffice/declarations/{mine.receipt_no}/evidence/"
    assert staff.get(f"{base}{evidence.pk}/").status_code == 200
    assert staff.get(f"{base}{theirs.pk}/").status_code == 404
    assert staff.get(f"{base}{theirs.pk + 1000}/").status_code == 404
    assert staff.get(f"/backoffice/declarations/{other.receipt_no}/evidence/"
                     f"{evidence.pk}/").status_code == 404
    # Units never reach the staff route, their own files included.
    assert unit_client.get(f"{base}{evidence.pk}/").status_code == 403


def test_confirm_page_of_a_batch_file_backpay_lists_each_person(holder: Holder,
                                                                 unit_client: Client) -> None:
    people = [make_person(name=n) for n in ("孙一", "周二")]
    for p in people:
        make_enrolment(p, holder.unit, first=Month(2023, 1))
    records = [BackpayRecord(row=i + 2, id_number=p.id_number, name=p.name,
                             start=Month(2024, 1), end=Month(2024, 2 + i), wage=600_000,
                             reason="漏报") for i, p in enumerate(people)]
    draft = declaration_create(unit=holder.unit, records=list(records),
                               source=Source.BATCH, actor=Actor("unit", holder.unit.number))
    html = unit_client.get(f"/unit/declarations/drafts/{draft.draft_token}/").content.decode()
    table = html.split('id="quote-persons"')[1].split("</table>")[0]
    assert "孙一" in table and "周二" in table
    assert "2 人，共 5 个人月" in html
    assert 'id="evidence-none"' in html and "报盘文件申报的补缴" in html
