"""Batch files (报盘文件): parse and validate 增员, 减员, 缴费工资 and 补缴 files.

Public API:
    batchfile_validate(data, filename, *, kind, unit, as_of) -> ValidationResult
    blank_form_xlsx(kind) -> bytes, blank_form_csv(kind) -> bytes
    errors_workbook(data, filename, result) -> bytes
"""

from .blank_forms import blank_form_csv, blank_form_xlsx
from .errors import RowError
from .kinds import KINDS, AddRecord, BackpayRecord, Record, RemoveRecord, WageRecord
from .report import errors_workbook
from .validate import ValidationResult, batchfile_validate, lines_recheck, records_validate

__all__ = [
    "KINDS",
    "AddRecord",
    "BackpayRecord",
    "Record",
    "RemoveRecord",
    "RowError",
    "ValidationResult",
    "WageRecord",
    "batchfile_validate",
    "blank_form_csv",
    "blank_form_xlsx",
    "errors_workbook",
    "lines_recheck",
    "records_validate",
]
