"""补缴 (back-payment) declarations made on the web: the wages of each month, the
evidence files (证明材料) kept with the declaration, and the quote of what is due.

- `line_wages(data)`: the wage of every month of a 补缴 line — one wage for the range
  (`data["wage"]`), or per month (`data["wages"]`, {"YYYYMM": fen}) when the unit filled
  the months in one by one. The quote and the effect of approval both read it.
- `evidence_check(...)`: what a unit uploads as evidence, checked by content (magic bytes),
  not by name; every refusal is a Chinese sentence naming the file.
- `line_quotes(declaration, today)`: the quote of each line as of a day, for the confirm
  page and the reviewing staff; a line whose months this unit was already billed for is
  not quoted but refused (decision 0010).
- `billed_refusal(declaration)`: the lines naming months already billed, for submission
  and approval to refuse inside their transactions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404

from shebao.contributions.backpay import BackpayError, BackpayQuote, backpay_quote
from shebao.lib.periods import Month, PeriodError, month_range
from shebao.policy.insurances import Insurance
from shebao.registry.models import Person, Unit

from .batchfiles.billed import billed_message, billed_months, months_text
from .models import Declaration, DeclarationLine, Evidence

# [decision] A month-by-month wage table is offered for up to three years; longer periods
# are declared with one wage (or in several declarations).
PER_MONTH_MAX = 36
# [decision] Evidence: scans and photos of contracts and pay records. Five files of 5 MB
# each cover a multi-page contract and a year of payslips; more belongs at the counter.
EVIDENCE_MAX_FILES = 5
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_NAME_MAX = 200
# Quotes on one page: a batch file of 补缴 can name many people; beyond this many lines
# the amounts are fixed at approval and the page says so.
QUOTE_MAX_LINES = 500


# --- wages -----------------------------------------------------------------------------


def wages_key(month: Month) -> str:
    return f"{int(month)}"


def line_wages(data: dict[str, Any]) -> dict[Month, int]:
    """The wage (fen) of every month from `start` to `end` of a 补缴 line's data."""
    first, last = Month.parse(str(data["start"])), Month.parse(str(data["end"]))
    per_month = data.get("wages") or {}
    return {m: int(per_month.get(wages_key(m), data["wage"])) for m in month_range(first, last)}


# --- evidence files --------------------------------------------------------------------


@dataclass(frozen=True)
class FileType:
    content_type: str
    label: str
    suffixes: tuple[str, ...]
    magic: bytes


FILE_TYPES = (
    FileType("application/pdf", "PDF 文档", (".pdf",), b"%PDF-"),
    FileType("image/jpeg", "JPG 图片", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    FileType("image/png", "PNG 图片", (".png",), b"\x89PNG\r\n\x1a\n"),
)
ACCEPT = ",".join([s for t in FILE_TYPES for s in t.suffixes]
                  + [t.content_type for t in FILE_TYPES])
TYPE_LABELS = {t.content_type: t.label for t in FILE_TYPES}
EVIDENCE_SUFFIXES = {t.content_type: t.suffixes[0] for t in FILE_TYPES}


def file_type_of(data: bytes) -> FileType | None:
    """The type the content says it is (its first bytes), whatever the name says."""
    return next((t for t in FILE_TYPES if data.startswith(t.magic)), None)


def size_label(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def evidence_name(raw: str) -> str:
    """The file name as stored and shown: no folders (old browsers send the whole path),
    no control characters, at most EVIDENCE_NAME_MAX characters with the suffix kept."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip() or "证明材料"
    if len(name) > EVIDENCE_NAME_MAX:
        _, dot, suffix = name.rpartition(".")
        keep = f".{suffix}" if dot and len(suffix) <= 8 else ""
        name = name[:EVIDENCE_NAME_MAX - len(keep)] + keep
    return name


@dataclass(frozen=True)
class EvidenceFile:
    """An uploaded file that passed the checks."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


_SUFFIXES = "、".join(s for t in FILE_TYPES for s in t.suffixes)
_MAX_MB = EVIDENCE_MAX_BYTES // (1024 * 1024)


def evidence_check(files: list[tuple[str, bytes]], *, too_big: list[str] | None = None,
                   required: bool = True) -> tuple[list[EvidenceFile], list[str]]:
    """Check uploaded evidence: (file name, bytes) as received, and the names of files
    refused while receiving because they passed EVIDENCE_MAX_BYTES. Returns the good
    files and the errors; the files count only when there is no error."""
    too_big = too_big or []
    errors: list[str] = []
    count = len(files) + len(too_big)
    if count == 0:
        if required:
            errors.append("请上传证明材料，如劳动合同、工资发放记录或考勤记录的扫描件或照片")
        return [], errors
    if count > EVIDENCE_MAX_FILES:
        errors.append(f"证明材料最多 {EVIDENCE_MAX_FILES} 个文件，本次选择了 {count} 个："
                      "请把多页材料合并为一个 PDF 文档后上传")
    for raw in too_big:
        errors.append(f"“{evidence_name(raw)}”超过单个文件 {_MAX_MB} MB 的上限："
                      "请降低扫描分辨率或压缩后上传")
    good: list[EvidenceFile] = []
    seen: dict[str, str] = {}
    for raw, data in files:
        name = evidence_name(raw)
        problem = _file_problem(name, data)
        if problem:
            errors.append(problem)
            continue
        kind = file_type_of(data)
        assert kind is not None
        item = EvidenceFile(name=name, content_type=kind.content_type, data=data)
        if item.digest in seen:
            errors.append(f"“{name}”与“{seen[item.digest]}”内容相同，同一文件只需上传一次")
            continue
        seen[item.digest] = name
        good.append(item)
    return ([] if errors else good), errors


def _file_problem(name: str, data: bytes) -> str:
    suffix = "." + name.rpartition(".")[2].lower() if "." in name else ""
    expected = next((t for t in FILE_TYPES if suffix in t.suffixes), None)
    if expected is None:
        return (f"“{name}”不是 PDF、JPG 或 PNG 文件：证明材料只接受扩展名为 {_SUFFIXES} "
                "的 PDF 文档和图片")
    if not data:
        return f"“{name}”是空文件，请重新选择"
    if len(data) > EVIDENCE_MAX_BYTES:
        return (f"“{name}”大小为 {size_label(len(data))}，超过单个文件 {_MAX_MB} MB 的上限："
                "请降低扫描分辨率或压缩后上传")
    actual = file_type_of(data)
    if actual is None:
        return (f"“{name}”的内容不是{expected.label}（文件可能已损坏，或只是改了扩展名）："
                "请重新扫描或导出后上传")
    return ""


# --- the draft -------------------------------------------------------------------------


# --- reads -----------------------------------------------------------------------------


def evidence_of(declaration: Declaration) -> QuerySet[Evidence]:
    """The declaration's evidence without the file contents (names, types, sizes)."""
    return declaration.evidence.defer("data").order_by("id")


def evidence_item(declaration: Declaration, evidence_id: int) -> Evidence:
    """One evidence file of this declaration; another declaration's id is not found."""
    item = Evidence.objects.filter(declaration=declaration, pk=evidence_id).first()
    if item is None:
        raise Http404
    return item


# --- quotes for people -----------------------------------------------------------------

INSURANCE_LABELS = dict(Insurance.choices)


@dataclass(frozen=True)
class QuoteRow:
    insurance: str
    base: int
    employer: int
    personal: int
    total: int
    note: str


@dataclass(frozen=True)
class QuoteMonth:
    month: Month
    wage: int
    rows: list[QuoteRow]
    employer: int
    personal: int
    total: int
    account_credit: int
    due_date: dt.date
    late_days: int
    late_fee: int


@dataclass(frozen=True)
class LineQuote:
    """One 补缴 line as the unit and the staff read it: the person, the period, each
    month's amounts per insurance, and totals; `error` when no quote can be made."""

    line_no: int
    id_number: str
    name: str
    start: Month | None
    end: Month | None
    quote: BackpayQuote | None
    months: list[QuoteMonth]
    error: str = ""

    @property
    def month_count(self) -> int:
        return len(self.months)


def quote_months(quote: BackpayQuote, as_of: dt.date) -> list[QuoteMonth]:
    months = []
    for item in quote.months:
        calc = item.calc
        rows = [QuoteRow(INSURANCE_LABELS.get(c.insurance, c.insurance), c.base, c.employer,
                         c.personal, c.total, c.note) for c in calc.lines]
        months.append(QuoteMonth(
            month=item.month, wage=calc.wage, rows=rows, employer=calc.employer_total,
            personal=calc.personal_total, total=calc.total, account_credit=item.account_credit,
            due_date=item.due_date, late_days=max(0, (as_of - item.due_date).days),
            late_fee=item.late_fee))
    return months


def line_quote(line_no: int, person: Person, unit: Unit, wages: dict[Month, int],
               as_of: dt.date) -> LineQuote:
    """The quote of one person's months; a refusal of the engine becomes `error`."""
    start, end = (min(wages), max(wages)) if wages else (None, None)
    try:
        quote = backpay_quote(person=person, unit=unit, wages=wages, as_of=as_of)
    except BackpayError as exc:
        return LineQuote(line_no, person.id_number, person.name, start, end, None, [], str(exc))
    return LineQuote(line_no, person.id_number, person.name, start, end, quote,
                     quote_months(quote, as_of))


@dataclass(frozen=True)
class Totals:
    persons: int
    person_months: int
    employer: int
    personal: int
    total: int
    late_fee: int
    account_credit: int

    @property
    def due(self) -> int:
        return self.total + self.late_fee


def quote_totals(lines: list[LineQuote]) -> Totals:
    quotes = [q.quote for q in lines if q.quote is not None]
    return Totals(persons=len(lines), person_months=sum(len(q.months) for q in quotes),
                  employer=sum(q.employer_total for q in quotes),
                  personal=sum(q.personal_total for q in quotes),
                  total=sum(q.total for q in quotes),
                  late_fee=sum(q.late_fee_total for q in quotes),
                  account_credit=sum(q.account_credit_total for q in quotes))


def _declared_line(line: DeclarationLine, person: Person | None, unit: Unit,
                   as_of: dt.date, billed: list[int]) -> LineQuote:
    try:
        wages = line_wages(line.data)
    except (KeyError, ValueError, TypeError, PeriodError):
        return LineQuote(line.line_no, line.id_number, line.name, None, None, None, [],
                         "补缴期间或月缴费工资不完整，无法试算")
    if person is None:
        return LineQuote(line.line_no, line.id_number, line.name, min(wages), max(wages),
                         None, [], "社保登记中没有该身份证号码的人员，无法试算")
    if billed:
        return LineQuote(line.line_no, line.id_number, line.name, min(wages), max(wages),
                         None, [], billed_message(billed))
    return line_quote(line.line_no, person, unit, wages, as_of)


def line_quotes(declaration: Declaration, as_of: dt.date) -> list[LineQuote] | None:
    """Every line's quote as of a day (persons read in one query); None when the
    declaration has more than QUOTE_MAX_LINES lines."""
    lines = list(declaration.lines.order_by("line_no")[:QUOTE_MAX_LINES + 1])
    if len(lines) > QUOTE_MAX_LINES:
        return None
    persons = Person.objects.in_bulk({ln.id_number for ln in lines}, field_name="id_number")
    unit = declaration.unit
    billed = billed_months(unit.pk, [
        (ln.line_no, persons[ln.id_number].pk, *period) for ln in lines
        if ln.id_number in persons and (period := _period(ln.data)) is not None])
    prefetch_related_objects([unit], "injury_rates")  # read by every quote
    return [_declared_line(ln, persons.get(ln.id_number), unit, as_of,
                           billed.get(ln.line_no, [])) for ln in lines]


def _period(data: dict[str, Any]) -> tuple[Month, Month] | None:
    try:
        return Month.parse(str(data["start"])), Month.parse(str(data["end"]))
    except (KeyError, PeriodError):
        return None


# A refusal names this many lines before "等".
REFUSAL_LINES = 5


def billed_refusal(declaration: Declaration) -> str:
    """Which lines of a 补缴 declaration name months this unit was already billed for
    (an earlier 补缴 approved, a settlement or a 补差 since it was drafted), as one
    Chinese sentence; "" when none. Two queries whatever the number of lines."""
    lines = list(declaration.lines.order_by("line_no")
                 .values_list("line_no", "id_number", "name", "data"))
    persons = dict(Person.objects.filter(id_number__in=declaration.lines.values("id_number"))
                   .values_list("id_number", "pk"))
    billed = billed_months(declaration.unit_id, [
        (line_no, persons[id_number], *period) for line_no, id_number, _, data in lines
        if id_number in persons and (period := _period(data)) is not None])
    if not billed:
        return ""
    named = [f"第 {line_no} 行（{name}）{months_text(billed[line_no])}"
             for line_no, _, name, _ in lines if line_no in billed]
    more = f"等 {len(named)} 行" if len(named) > REFUSAL_LINES else ""
    return (f"补缴的月份已核定缴费，不能重复补缴：{'；'.join(named[:REFUSAL_LINES])}{more}"
            "（本单位已为其缴费或补缴过这些月份）")
