"""Bank collection result files (托收结果): CSV of unit number, month, amount, paid date.

The file is validated whole: every error is reported with its row and reason and nothing
is applied unless every row passes. The same content imported twice is applied once.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.dates import DateError, parse_date
from shebao.lib.money import MoneyError, format_fen, format_fen_grouped, parse_yuan
from shebao.lib.periods import Month, PeriodError
from shebao.lib.textfiles import DecodeError, decode_text
from shebao.registry.models import Unit

from .models import Payment, PaymentBatch
from .payments import PaymentInput, payment_record

COLUMNS = {
    "unit": ("单位编号", "unit_number"),
    "month": ("费款所属期", "所属期", "缴费年月", "month"),
    "amount": ("金额", "实缴金额", "amount"),
    "paid_date": ("缴费日期", "到账日期", "paid_date"),
}
MAX_ROWS = 500_000


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str
    value: str
    message: str


@dataclass
class BankFileResult:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: PaymentBatch | None = None
    duplicate: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        """What an applied (or already applied) file did, in Chinese and Beijing time."""
        if self.batch is None:
            return ""
        if self.duplicate:
            imported = timezone.localtime(self.batch.imported_at)
            return f"该文件已于 {imported:%Y-%m-%d %H:%M} 导入，本次未重复入账"
        return f"导入完成：{self.batch.rows} 笔，合计 {format_fen_grouped(self.batch.total)} 元"


def _header_map(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [h.strip() for h in header]
    found: dict[str, int] = {}
    errors = []
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases:
                found[key] = i
                break
        else:
            errors.append(RowError(1, aliases[0], "", f"缺少“{aliases[0]}”列"))
    return found, errors


def bankfile_parse(data: bytes) -> tuple[list[PaymentInput], BankFileResult]:
    """Parse and validate; returns the payments only when there are no errors."""
    result = BankFileResult()
    try:
        text = decode_text(data)
    except DecodeError as exc:
        result.errors.append(RowError(None, "", "", str(exc)))
        return [], result
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        result.errors.append(RowError(None, "", "", "文件为空"))
        return [], result
    if len(rows) - 1 > MAX_ROWS:
        result.errors.append(RowError(None, "", "", f"文件超过 {MAX_ROWS} 行的上限"))
        return [], result
    cols, errors = _header_map(rows[0])
    if errors:
        result.errors = errors
        return [], result
    numbers = {r[cols["unit"]].strip() for r in rows[1:] if len(r) > cols["unit"]}
    units = {u.number: u for u in Unit.objects.filter(number__in=numbers)}
    payments: list[PaymentInput] = []
    today = dt.date.today()
    for index, raw in enumerate(rows[1:], start=2):
        cells = {k: (raw[i].strip() if i < len(raw) else "") for k, i in cols.items()}
        errs: list[RowError] = []
        unit = units.get(cells["unit"])
        if unit is None:
            errs.append(RowError(index, "单位编号", cells["unit"], "单位编号不存在"))
        month = amount = paid = None
        try:
            month = Month.parse(cells["month"])
        except PeriodError as exc:
            errs.append(RowError(index, "费款所属期", cells["month"], str(exc)))
        try:
            amount = parse_yuan(cells["amount"])
            if amount <= 0:
                errs.append(RowError(index, "金额", cells["amount"], "金额必须大于零"))
        except MoneyError as exc:
            errs.append(RowError(index, "金额", cells["amount"], str(exc)))
        try:
            paid = parse_date(cells["paid_date"])
            if paid > today:
                errs.append(RowError(index, "缴费日期", cells["paid_date"], "缴费日期不能晚于今天"))
        except DateError as exc:
            errs.append(RowError(index, "缴费日期", cells["paid_date"], str(exc)))
        if errs:
            result.errors += errs
        elif unit and month and amount and paid:
            payments.append(PaymentInput(unit=unit, amount=amount, paid_date=paid, month=month,
                                         reference=f"托收文件第{index}行"))
    result.rows = len(rows) - 1
    return ([] if result.errors else payments), result


def bankfile_import(data: bytes, *, filename: str, actor: Actor = SYSTEM) -> BankFileResult:
    """Validate and apply a bank collection file atomically (once per content)."""
    payments, result = bankfile_parse(data)
    if not result.ok:
        return result
    digest = hashlib.sha256(data).hexdigest()
    existing = PaymentBatch.objects.filter(digest=digest).first()
    if existing:
        result.batch, result.duplicate = existing, True
        return result
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(
                digest=digest, filename=filename[:200], rows=len(payments),
                total=sum(p.amount for p in payments), imported_by=actor.ident,
            )
            for p in sorted(payments, key=lambda p: (p.paid_date, p.unit.number)):
                payment_record(p, source=Payment.Source.BANK, batch=batch, actor=actor)
            event_record(actor=actor, action="bankfile_import", object_type="payment_batch",
                         object_ref=digest[:16],
                         after={"filename": filename, "rows": len(payments),
                                "total": format_fen(batch.total)})
    except IntegrityError:
        # A concurrent import of the same file won the race: it was applied once.
        result.batch, result.duplicate = PaymentBatch.objects.get(digest=digest), True
        return result
    result.batch = batch
    return result
