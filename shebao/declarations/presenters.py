"""Declarations as people read them: the columns of the lines, and what submitting does.

Plain data for templates, shared by the unit's pages and the back office.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import TextChoices
from django.utils import timezone

from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month, PeriodError
from shebao.policy.insurances import ORDER
from shebao.registry.choices import EndReason, Hukou, StartReason
from shebao.registry.models import Unit

from .backpay import TYPE_LABELS, LineQuote, evidence_of, line_quotes, quote_totals, size_label
from .changes import change_sentences
from .models import CHANGE_KINDS, Declaration, DeclarationKind, DeclarationLine, Status
from .selectors import backpay_overlaps
from .signing import signer_subject

# (field in DeclarationLine.data, header, how the value is shown) per declaration kind.
_MONEY = "money"
_MONTH = "month"
COLUMNS: dict[str, list[tuple[str, str, object]]] = {
    DeclarationKind.ENROL: [("hukou", "户口性质", Hukou), ("reason", "增员原因", StartReason),
                 ("start", "起始年月", _MONTH), ("wage", "月缴费工资（元）", _MONEY),
                 ("phone", "联系电话", None)],
    DeclarationKind.LEAVE: [("reason", "减员原因", EndReason), ("end", "终止年月", _MONTH)],
    DeclarationKind.WAGE: [("wage", "月缴费工资（元）", _MONEY)],
    DeclarationKind.BACKPAY: [("start", "起始年月", _MONTH), ("end", "终止年月", _MONTH),
                   ("wage", "月缴费工资（元）", _MONEY), ("reason", "补缴原因", None),
                   ("total", "补缴金额（元）", _MONEY), ("late_fee", "滞纳金（元）", _MONEY)],
    DeclarationKind.UNIT_CHANGE: [("label", "变更项目", None), ("old", "原内容", None),
                       ("new", "新内容", None), ("when", "生效方式", None)],
    DeclarationKind.PERSON_CHANGE: [("label", "变更项目", None), ("old", "原内容", None),
                         ("new", "新内容", None), ("when", "生效方式", None)],
}


LINES_PER_PAGE = 100


@dataclass(frozen=True)
class LineRow:
    line_no: int
    id_number: str
    name: str
    cells: list[str]


def line_headers(kind: str) -> list[str]:
    return [header for _, header, _ in COLUMNS.get(kind, [])]


def _cell(value: object, how: object) -> str:
    if value is None or value == "":
        return ""
    if how == _MONEY and isinstance(value, int):
        return format_fen_grouped(value)
    if how == _MONTH:
        try:
            return Month.parse(str(value)).label
        except PeriodError:
            return str(value)
    if isinstance(how, type) and issubclass(how, TextChoices):
        return str(dict(how.choices).get(str(value), value))
    return str(value)


def line_rows(kind: str, lines: Iterable[DeclarationLine]) -> list[LineRow]:
    columns = COLUMNS.get(kind, [])
    return [LineRow(line.line_no, line.id_number, line.name,
                    [_line_cell(line, field, how) for field, _, how in columns])
            for line in lines]


def _line_cell(line: DeclarationLine, field: str, how: object) -> str:
    if field == "wage" and line.data.get("wages"):  # 补缴 with a wage per month
        fens = [int(v) for v in line.data["wages"].values()]
        return f"按月填写（{format_fen_grouped(min(fens))}～{format_fen_grouped(max(fens))}）"
    return _cell(line.data.get(field), how)


def _person_months(lines: Iterable[DeclarationLine]) -> int:
    total = 0
    for line in lines:
        try:
            total += Month.parse(line.data["end"]) - Month.parse(line.data["start"]) + 1
        except (KeyError, PeriodError):
            continue
    return total


def _evidence_note(declaration: Declaration) -> str:
    count = declaration.evidence.count() if declaration.pk else 0
    if count:
        return f"已随申报上传证明材料 {count} 份"
    return "未上传证明材料的，请将证明材料交经办机构"


def what_happens(declaration: Declaration, unit: Unit, lines: list[DeclarationLine],
                 effective: Month, today: dt.date) -> list[str]:
    """What submitting this declaration will do, in a few sentences."""
    kind = declaration.kind
    n = len(lines)
    if kind == DeclarationKind.ENROL:
        insurances = "、".join(str(i.label) for i in ORDER if i.value in unit.insurance_set)
        return [f"为 {n} 人办理参保登记，参加本单位的{insurances}，自各人的起始年月起由本单位"
                "缴费；所填月缴费工资作为其当年度的缴费基数。",
                "提交后即时生效，无需审核。"]
    if kind == DeclarationKind.LEAVE:
        return [f"为 {n} 人办理减员：各人终止年月之后，本单位不再为其缴费。",
                "提交后即时生效，无需审核。"]
    if kind == DeclarationKind.WAGE:
        year = f" {declaration.policy_year} " if declaration.policy_year else "本"
        return [f"{n} 人的月缴费工资作为{year}缴费年度的缴费基数，替代按上年 110% 暂定的基数；"
                "该年度已结算的月份将按新基数补差。",
                "提交后即时生效，无需审核。"]
    if kind == DeclarationKind.BACKPAY:
        return [f"{n} 人补缴以往月份的社会保险费，共 {_person_months(lines)} 个人月，"
                "按各月当时的缴费基数上下限和费率计算，并按日加收滞纳金。",
                f"提交后须经社保经办机构审核（{_evidence_note(declaration)}）；审核通过后计入审核当月"
                f"（如 {Month.of(today).label}）的应缴费用。"]
    if kind in CHANGE_KINDS:
        return change_sentences(kind, lines)
    return []


PDF_CHUNK = 1_000  # lines read from the database at a time for the receipt PDF


def receipt_pdf(declaration: Declaration) -> bytes:
    """The receipt document: what was declared, when, by which certificate, how to
    verify it (the public /verify/ page and the verification code), and every line
    with its amounts, paginated; the lines are read from the database in chunks."""
    from shebao.lib.pdf import Table, document_pdf

    submitted = (timezone.localtime(declaration.submitted_at).strftime("%Y-%m-%d %H:%M:%S")
                 if declaration.submitted_at else "")
    count = declaration.lines.count()
    unit_level = declaration.kind == DeclarationKind.UNIT_CHANGE
    rows = [
        ("回执号", declaration.receipt_no or ""),
        ("验证码", declaration.verification_code or ""),
        ("单位编号", declaration.unit.number),
        ("单位名称", declaration.unit.name),
        ("业务类型", f"{declaration.get_kind_display()}（{declaration.get_source_display()}）"),
        ("变更项目数" if declaration.kind in CHANGE_KINDS else "申报人数", str(count)),
        ("提交时间", submitted),
        ("办理状态", declaration.get_status_display()),
        ("内容摘要", declaration.content_digest),
        ("签名证书", declaration.certificate_fingerprint or "未签名"),
    ]
    if declaration.return_reason:
        rows.append(("退回原因", declaration.return_reason))
    if declaration.kind == DeclarationKind.BACKPAY and declaration.status != Status.EFFECTIVE:
        rows.append(("补缴金额", "补缴金额在审核通过时按当日核定（含滞纳金），"
                                 "届时在申报记录中查看本回执的明细"))
    headers = ["行号", *([] if unit_level else ["公民身份号码", "姓名"]),
               *line_headers(declaration.kind)]
    lines = declaration.lines.order_by("line_no").iterator(chunk_size=PDF_CHUNK)
    table_rows = ([str(row.line_no), *([] if unit_level else [row.id_number, row.name]),
                   *row.cells]
                  for line in lines for row in line_rows(declaration.kind, [line]))
    return document_pdf(
        "北京市社会保险网上申报回执", rows, subtitle="北京市社会保险基金管理中心",
        footer="本回执由北京市社会保险网上申报查询系统生成。任何人均可在本系统“回执验证”页面"
               "输入验证码，核验申报内容、提交时间与签名证书。",
        table=Table(f"申报明细（共 {count} 行）", headers, table_rows, widest=[str(count)]))


def receipt_context(declaration: Declaration, page_number: str | None) -> dict[str, object]:
    """The receipt's facts and one page of its lines: the unit's page and the back
    office's. The signer's subject is read from the certificate recorded with it."""
    lines = declaration.lines.order_by("line_no")
    page = Paginator(lines, LINES_PER_PAGE).get_page(page_number)
    effective = (Month.from_int(declaration.effective_month)
                 if declaration.effective_month else None)
    return {"declaration": declaration, "unit": declaration.unit,
            "line_count": page.paginator.count, "page": page,
            "headers": line_headers(declaration.kind),
            "unit_level": declaration.kind == DeclarationKind.UNIT_CHANGE,
            "rows": line_rows(declaration.kind, page.object_list),
            "signer": signer_subject(declaration), "effective": effective}


# --- 补缴: the quote and the evidence files (the unit's pages and the review page) ------

# Lines of a (batch file) declaration whose month-by-month detail is shown.
DETAIL_LINES = 20


def quote_context(lines: list[LineQuote] | None, as_of: dt.date) -> dict[str, Any]:
    """What _backpay_quote.html shows (names prefixed: it is included in other pages)."""
    return {"bp_lines": lines or [], "bp_too_many": lines is None,
            "bp_totals": quote_totals(lines) if lines else None, "bp_as_of": as_of,
            "bp_detail_max": DETAIL_LINES}


def evidence_rows(declaration: Declaration) -> list[dict[str, Any]]:
    return [{"id": e.pk, "name": e.file_name, "type": TYPE_LABELS.get(e.content_type,
                                                                     e.content_type),
             "size": size_label(e.size)} for e in evidence_of(declaration)]


def evidence_context(declaration: Declaration) -> dict[str, Any]:
    """The evidence files of a declaration, and whether its page lists them (补缴 always,
    other kinds when they have any)."""
    rows = evidence_rows(declaration)
    return {"evidence": rows,
            "evidence_section": bool(rows) or declaration.kind == DeclarationKind.BACKPAY}


def review_extra(declaration: Declaration, today: dt.date) -> dict[str, Any]:
    """For the reviewing staff: the evidence files (with download links) and, while a
    补缴 waits for review, the other 补缴 of the unit still undecided for the same person
    and months, and the quote as of today — what approving bills."""
    extra: dict[str, Any] = {"evidence_links": True, **evidence_context(declaration)}
    if declaration.kind == DeclarationKind.BACKPAY and declaration.status == Status.REVIEWING:
        extra.update(bp_overlaps=backpay_overlaps(declaration), bp_overlap_links=True,
                     extra_template="declarations/_backpay_quote.html",
                     bp_title="审核通过后应缴的补缴金额（按今天计算）",
                     **quote_context(line_quotes(declaration, today), today))
    return extra
