"""Verifiable documents (证明): printed with a 校验码 and a 查询流水号, checked on /verify/.

A document is its *facts*: plain JSON (title, header, sections of label–value rows or
tables, footer) built by one function per kind (`enrolment_proof_facts`, …). Printing
(`document_issue`) stamps the facts with the 查询流水号 and the print time, keeps them as
the snapshot with their SHA-256, records an audit event, and hands back the one-time
校验码; the PDF and the public check page are both drawn from the same stored facts, so
what a third party sees on /verify/ is exactly what was printed. A second kind (单位缴费明细)
is a second facts function and a `DocumentKind`; nothing else changes.

The 查询流水号 is the print date and 8 random characters (not a count: serials cannot be
enumerated); the 校验码 is 16 random characters (80 bits) of which only the SHA-256 is
kept. A document verifies for `settings.DOCUMENT_VERIFY_DAYS` days after its print.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shebao.audit.services import Actor, event_record
from shebao.certauth.selectors import unit_basic_info
from shebao.contributions.arrears import arrears_for_unit
from shebao.contributions.calculator import maternity_merged
from shebao.declarations.selectors import normalize_code
from shebao.declarations.services import CODE_ALPHABET
from shebao.lib.money import format_fen_grouped
from shebao.lib.pdf import Section, Verifiable, verifiable_pdf
from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER, Insurance
from shebao.policy.selectors import PolicyMissing, policy_at
from shebao.registry.models import Enrolment, Unit

from .models import DocumentKind, PrintedDocument

SERIAL_RANDOM = 8
CODE_LENGTH = 16
ISSUER = "北京市社会保险基金管理中心"
# Rows of the unit's basic information that say nothing about its enrolment.
NOT_PRINTED = frozenset({"企业规模", "网上申报状态"})

Facts = dict[str, Any]


@dataclass(frozen=True)
class Issued:
    """A document just printed, with its 校验码 (shown once, on the paper)."""

    document: PrintedDocument
    code: str


def _random(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _code_digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def facts_digest(facts: Facts) -> str:
    """SHA-256 of the facts in canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def beijing(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


# --- the facts of each kind -------------------------------------------------------------


def enrolled_counts(unit: Unit, month: Month) -> dict[str, int]:
    """People of the unit enrolled in `month`, per insurance: one grouped query."""
    m = int(month)
    rows = (Enrolment.objects.filter(unit=unit, first_month__lte=m)
            .filter(Q(last_month__isnull=True) | Q(last_month__gte=m))
            .values("insurance").annotate(n=Count("person_id", distinct=True)))
    return {r["insurance"]: r["n"] for r in rows}


def _merged_in(month: Month) -> bool:
    try:
        return maternity_merged(policy_at(month))
    except PolicyMissing:
        return False


def enrolment_proof_facts(unit: Unit, as_of: dt.date) -> Facts:
    """单位参保证明: the unit, each insurance with its status and the people enrolled in
    the month of `as_of`, and whether it has arrears on `as_of`."""
    month = Month.of(as_of)
    counts = enrolled_counts(unit, month)
    merged = _merged_in(month)
    enrolled = unit.insurance_set
    insurance_rows = []
    for ins in ORDER:
        n = counts.get(ins.value, 0)
        status = "参保" if ins.value in enrolled or n else "未参保"
        note = ("自2020年1月起生育保险并入职工基本医疗保险，不单独缴费（并入医疗）"
                if ins == Insurance.MATERNITY and merged and status == "参保" else "")
        insurance_rows.append([ins.label, status, f"{n} 人", note])
    owed = [line for line in arrears_for_unit(unit.pk, as_of) if line.outstanding > 0]
    if owed:
        arrears = [["是否欠费", "有"], ["欠费月份",
                   "、".join(line.month.label for line in owed)],
                   ["欠费金额", f"{format_fen_grouped(sum(x.outstanding for x in owed))} 元"
                                "（不含滞纳金）"]]
    else:
        arrears = [["是否欠费", "无"]]
    period = f"截至{as_of:%Y年%m月%d日}"
    return {
        "title": "北京市社会保险单位参保证明",
        "unit": {"number": unit.number, "name": unit.name},
        "period": period,
        "sections": [
            {"heading": "一、单位基本信息", "headers": [], "rows": [
                [label, value] for label, value in unit_basic_info(unit)
                if label not in NOT_PRINTED]},
            {"heading": f"二、参保情况（{month.label}）",
             "headers": ["险种", "参保状态", "在职参保人数", "说明"], "rows": insurance_rows},
            {"heading": f"三、缴费情况（{period}）", "headers": [], "rows": arrears},
        ],
        "footer": (f"兹证明上述单位{period}在本市的参保缴费情况如上。本证明依据社会保险经办机构"
                   "的记录生成，涂改无效。可扫描二维码或在北京市社会保险网上申报查询系统“回执验证”"
                   f"页面输入校验码和查询流水号核验，自打印之日起 {settings.DOCUMENT_VERIFY_DAYS} "
                   "日内有效。"),
    }


FACTS = {DocumentKind.UNIT_ENROLMENT: enrolment_proof_facts}


# --- print and check -------------------------------------------------------------------


def document_issue(*, unit: Unit, kind: DocumentKind, actor: Actor,
                   now: dt.datetime | None = None) -> Issued:
    """Print a document of the unit: its facts as of today (Beijing), stamped with a
    new 查询流水号 and the print time, kept with their digest; one audit event."""
    now = now or timezone.now()
    facts = FACTS[kind](unit, timezone.localdate(now))
    serial = f"{timezone.localtime(now):%Y%m%d}{_random(SERIAL_RANDOM)}"
    code = _random(CODE_LENGTH)
    facts.update(kind=kind.value, serial=serial, printed_at=beijing(now), issuer=ISSUER)
    digest = facts_digest(facts)
    with transaction.atomic():
        document = PrintedDocument.objects.create(
            serial=serial, code_digest=_code_digest(code), kind=kind, unit=unit, facts=facts,
            digest=digest, printed_at=now)
        event_record(actor=actor, action="document.print", object_type="printed_document",
                     object_ref=serial, after={"kind": kind.value, "unit": unit.number,
                                               "digest": digest})
    return Issued(document, code)


def document_check(serial: str, code: str, *,
                   now: dt.datetime | None = None) -> PrintedDocument | None:
    """The document printed with this 查询流水号 and 校验码, while it may be checked
    (DOCUMENT_VERIFY_DAYS after its print) and its stored facts still match their
    digest; otherwise None. A wrong code and an unknown serial look the same."""
    serial, code = normalize_code(serial), normalize_code(code)
    document = PrintedDocument.objects.filter(serial=serial).first()
    given = _code_digest(code) if code.isascii() else ""
    if document is None or not hmac.compare_digest(document.code_digest, given):
        return None
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.DOCUMENT_VERIFY_DAYS)
    if document.printed_at < cutoff or facts_digest(document.facts) != document.digest:
        return None
    return document


def checks_until(document: PrintedDocument) -> dt.date:
    """The last day (Beijing) on which the document verifies."""
    last = document.printed_at + dt.timedelta(days=settings.DOCUMENT_VERIFY_DAYS)
    return timezone.localtime(last).date()


def document_pdf(issued: Issued, check_url: str) -> bytes:
    """The printed document, drawn from its stored facts."""
    facts = issued.document.facts
    return verifiable_pdf(Verifiable(
        title=facts["title"], subtitle=facts["issuer"],
        header=[("单位", f"{facts['unit']['name']}（{facts['unit']['number']}）"),
                ("统计期", facts["period"]), ("打印时间", f"{facts['printed_at']}（北京时间）")],
        codes=[("校验码", issued.code), ("查询流水号", facts["serial"]),
               ("内容摘要", f"SHA-256 {issued.document.digest[:16]}…")],
        sections=[Section(s["heading"], s["rows"], s["headers"]) for s in facts["sections"]],
        footer=facts["footer"], check_url=check_url))


def unit_documents(unit: Unit, limit: int = 20) -> list[PrintedDocument]:
    """The unit's latest prints (facts deferred: the list shows serial, kind and time)."""
    return list(PrintedDocument.objects.filter(unit=unit).defer("facts")
                .order_by("-printed_at")[:limit])
