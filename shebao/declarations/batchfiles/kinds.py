"""The four kinds of batch file, their columns and the clean record of each row."""

from __future__ import annotations

from dataclasses import dataclass

from shebao.lib.periods import Month

from ..models import DeclarationKind
from .columns import (
    BACKPAY_REASON,
    END_REASON,
    HUKOU,
    ID,
    NAME,
    PHONE,
    START_REASON,
    WAGE,
    Column,
    month_column,
)


@dataclass(frozen=True, slots=True)
class AddRecord:
    """增员: one person to enrol. wage in fen; hukou and reason are choice codes."""

    row: int
    id_number: str
    name: str
    hukou: str
    reason: str
    start: Month
    wage: int
    phone: str


@dataclass(frozen=True, slots=True)
class RemoveRecord:
    """减员: one person to leave; `end` is the last month contributed."""

    row: int
    id_number: str
    name: str
    reason: str
    end: Month


@dataclass(frozen=True, slots=True)
class WageRecord:
    """缴费工资申报: the monthly wage (fen) for the policy year being declared."""

    row: int
    id_number: str
    name: str
    wage: int


@dataclass(frozen=True, slots=True)
class BackpayRecord:
    """补缴: months start..end (inclusive) at the given monthly wage (fen)."""

    row: int
    id_number: str
    name: str
    start: Month
    end: Month
    wage: int
    reason: str


Record = AddRecord | RemoveRecord | WageRecord | BackpayRecord


@dataclass(frozen=True)
class FileKind:
    """One kind of batch file (报盘文件): its code in URLs, the API and file names, its
    columns, the record a row becomes and the kind of declaration the file becomes."""

    code: str
    label: str
    columns: tuple[Column, ...]
    record: type[Record]
    declaration: DeclarationKind

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    def header(self, field: str) -> str:
        return self.column(field).header


ADD = FileKind("add", "增员", (
    ID, NAME, HUKOU, START_REASON,
    month_column("起始年月", "start",
                 "参保起始月份，写作 YYYYMM 或 YYYY-MM。每月截止日（含）前申报的自当月起，"
                 "之后申报的自下月起；不能早于该月份", "202507"),
    WAGE, PHONE,
), AddRecord, DeclarationKind.ENROL)

REMOVE = FileKind("remove", "减员", (
    ID, NAME, END_REASON,
    month_column("终止年月", "end",
                 "最后一个缴费月份，写作 YYYYMM 或 YYYY-MM。每月截止日（含）前申报的可为当月，"
                 "之后申报的最早为下月", "202507"),
), RemoveRecord, DeclarationKind.LEAVE)

WAGE_KIND = FileKind("wage", "缴费工资", (ID, NAME, WAGE), WageRecord,
                     DeclarationKind.WAGE)

BACKPAY = FileKind("backpay", "补缴", (
    ID, NAME,
    month_column("起始年月", "start", "补缴的第一个月，不早于 2004 年 11 月", "202401"),
    month_column("终止年月", "end", "补缴的最后一个月，须早于本月", "202403"),
    WAGE, BACKPAY_REASON,
), BackpayRecord, DeclarationKind.BACKPAY)

# The one map of kind codes (docs/glossary.md): file code ↔ record ↔ declaration kind.
KINDS: dict[str, FileKind] = {k.code: k for k in (ADD, REMOVE, WAGE_KIND, BACKPAY)}
KIND_OF_RECORD: dict[type, FileKind] = {k.record: k for k in KINDS.values()}
KIND_OF_DECLARATION: dict[str, FileKind] = {k.declaration: k for k in KINDS.values()}
