"""单位参保证明: its facts, the print (snapshot, audit, PDF) and the public check."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shebao.accounts import ratelimit
from shebao.audit.models import Event
from shebao.audit.services import SYSTEM
from shebao.certauth.tests.helpers import Holder
from shebao.contributions.settlement import settlement_run
from shebao.declarations.tests.helpers import unit_login
from shebao.lib.periods import Month
from shebao.reports.documents import (
    CODE_LENGTH,
    document_check,
    document_issue,
    enrolment_proof_facts,
    facts_digest,
)
from shebao.reports.models import DocumentKind, PrintedDocument
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_client(holder: Holder) -> Client:
    client = Client()
    unit_login(client, holder)
    return client


def _section(facts: dict, heading_start: str) -> list[list[str]]:
    return next(s["rows"] for s in facts["sections"] if s["heading"].startswith(heading_start))


def test_proof_counts_the_people_enrolled_this_month_per_insurance(holder: Holder) -> None:
    unit = holder.unit
    today = dt.date(2026, 3, 10)
    for _ in range(3):
        make_enrolment(make_person(), unit, first=Month(2025, 1))
    make_enrolment(make_person(), unit, first=Month(2025, 1), last=Month(2026, 2))  # left
    make_enrolment(make_person(), unit, first=Month(2026, 4))  # not yet
    rows = {r[0]: r for r in _section(enrolment_proof_facts(unit, today), "二、")}
    assert rows["养老保险"][1:3] == ["参保", "3 人"]
    assert rows["医疗保险"][1:3] == ["参保", "3 人"]
    assert "并入医疗" in rows["生育保险"][3]
    assert _section(enrolment_proof_facts(unit, today), "三、") == [["是否欠费", "无"]]


def test_proof_says_a_unit_has_arrears_from_the_engine_bills(holder: Holder) -> None:
    unit = holder.unit
    make_enrolment(make_person(), unit, first=Month(2025, 1), wage=1_000_000,
                   policy_years=(2024, 2025))
    settlement_run(Month(2025, 7), bill_month=Month(2025, 7))
    arrears = dict(_section(enrolment_proof_facts(unit, dt.date(2025, 9, 10)), "三、"))
    assert arrears["是否欠费"] == "有"
    assert arrears["欠费月份"] == Month(2025, 7).label
    before_due = dict(_section(enrolment_proof_facts(unit, dt.date(2025, 8, 10)), "三、"))
    assert before_due == {"是否欠费": "无"}


def test_print_keeps_a_snapshot_with_its_digest_and_an_audit_event(holder: Holder) -> None:
    issued = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    document = PrintedDocument.objects.get()
    assert document.serial == issued.document.serial == document.facts["serial"]
    assert document.digest == facts_digest(document.facts)
    assert issued.code not in str(document.facts) and issued.code not in document.code_digest
    assert len(issued.code) == CODE_LENGTH
    event = Event.objects.get(action="document.print")
    assert event.object_ref == document.serial
    assert event.after == {"kind": "unit_enrolment", "unit": holder.unit.number,
                           "digest": document.digest}


def test_serials_and_codes_are_random_not_counted(holder: Holder) -> None:
    issued = [document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
              for _ in range(3)]
    serials = [i.document.serial for i in issued]
    today = f"{timezone.localdate():%Y%m%d}"
    assert all(s.startswith(today) for s in serials)
    assert len({s[8:] for s in serials}) == 3 and len({i.code for i in issued}) == 3


def test_check_finds_the_document_and_a_changed_code_does_not(holder: Holder) -> None:
    issued = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    serial, code = issued.document.serial, issued.code
    assert document_check(serial, code.lower()) == issued.document
    changed = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert document_check(serial, changed) is None
    other = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    assert document_check(serial, other.code) is None  # another print's code


def test_check_ends_after_the_configured_days(holder: Holder, settings) -> None:
    settings.DOCUMENT_VERIFY_DAYS = 30
    printed = timezone.now() - dt.timedelta(days=31)
    issued = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM,
                            now=printed)
    assert document_check(issued.document.serial, issued.code) is None
    assert document_check(issued.document.serial, issued.code,
                          now=printed + dt.timedelta(days=29)) is not None


def test_an_edited_snapshot_no_longer_verifies(holder: Holder) -> None:
    issued = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    facts = issued.document.facts
    facts["sections"][2]["rows"] = [["是否欠费", "无（已改）"]]
    PrintedDocument.objects.filter(pk=issued.document.pk).update(facts=facts)
    assert document_check(issued.document.serial, issued.code) is None


def _print(client: Client) -> tuple[bytes, PrintedDocument]:
    response = client.post("/unit/documents/print/", {"kind": "unit_enrolment"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    return response.content, PrintedDocument.objects.latest("printed_at")


def test_unit_prints_the_proof_as_a_pdf_and_sees_it_listed(unit_client: Client,
                                                           holder: Holder) -> None:
    data, document = _print(unit_client)
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data
    assert document.unit == holder.unit
    page = unit_client.get("/unit/documents/").content.decode()
    assert document.serial in page and "单位参保证明" in page


def test_unknown_kind_is_refused_in_chinese(unit_client: Client) -> None:
    response = unit_client.post("/unit/documents/print/", {"kind": "unit_payments"})
    assert response.status_code == 400
    assert "暂不能打印该证明" in response.content.decode()
    assert not PrintedDocument.objects.exists()


def test_the_pdf_shows_codes_header_and_pages(unit_client: Client, holder: Holder,
                                              tmp_path: Path) -> None:
    data, document = _print(unit_client)
    path = tmp_path / "proof.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout.replace(" ", "")
    assert "北京市社会保险单位参保证明" in text
    assert f"查询流水号：{document.serial}" in text
    assert "校验码：" in text and "第1页共1页" in text
    assert holder.unit.name in text and "打印时间" in text and "北京时间" in text


def test_verify_page_shows_the_snapshot_and_refuses_a_changed_code(holder: Holder) -> None:
    issued = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    client = Client()
    found = client.post("/verify/document/", {"serial": issued.document.serial,
                                              "code": issued.code})
    html = found.content.decode()
    assert found.status_code == 200 and "证明真实有效" in html
    assert holder.unit.name in html and issued.document.digest in html
    forged = client.post("/verify/document/", {"serial": issued.document.serial,
                                               "code": "2" * CODE_LENGTH})
    html = forged.content.decode()
    assert "未找到" in html and holder.unit.name not in html


def test_verify_form_explains_malformed_input(client: Client) -> None:
    response = client.post("/verify/document/", {"serial": "123", "code": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "查询流水号应为 16 位字母和数字" in html and "请输入校验码" in html


def test_the_qr_link_fills_in_the_serial_only(client: Client) -> None:
    html = client.get("/verify/document/?serial=20261205abcdefgh").content.decode()
    assert 'value="20261205ABCDEFGH"' in html


def test_both_checks_share_one_rate_limit(client: Client, monkeypatch) -> None:
    monkeypatch.setattr(ratelimit, "PUBLIC_CHECK_LIMIT", 2)
    client.post("/verify/", {"code": "ABCDEFGHJKLM"})
    client.post("/verify/document/", {"serial": "2026120522222222", "code": "2" * 16})
    response = client.post("/verify/document/", {"serial": "2026120522222222",
                                                 "code": "2" * 16})
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()


def test_receipt_page_carries_the_document_form(client: Client) -> None:
    html = client.get("/verify/").content.decode()
    assert 'action="/verify/document/"' in html and 'id="doc_serial"' in html
