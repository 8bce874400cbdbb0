"""The error shape of batch files and the catalogue of error codes.

A `RowError` names the spreadsheet row a person sees (header = row 1; None for the whole
file), the column (header name), the value as written, a stable English code and a
Chinese message. It generalises `contributions.bankfile.RowError` (same fields plus
`code`); warnings use the same shape.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class RowError:
    row: int | None
    column: str
    value: str
    code: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class CellError(ValueError):
    """A cell that cannot become a clean value; raised by column parsers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class FileRefused(ValueError):
    """The file as a whole cannot be read; str() is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Codes for which the file could not be read at all (the CLI exits with 2).
UNREADABLE = frozenset({
    "file_not_found", "file_unreadable", "empty_file", "file_too_large", "too_many_rows",
    "too_many_columns", "xls_format", "encrypted", "not_spreadsheet", "corrupt_file",
    "zip_bomb", "encoding",
})

# Every code, with what it means; test_errors.py checks that each one appears in a test.
FILE_CODES: dict[str, str] = {
    "file_not_found": "文件不存在",
    "file_unreadable": "文件无法打开",
    "empty_file": "文件为空",
    "file_too_large": "文件超过字节上限",
    "too_many_rows": "数据行超过上限",
    "too_many_columns": "工作表的列数超过上限",
    "xls_format": "Excel 97-2003 (.xls) 格式",
    "encrypted": "工作簿加密",
    "not_spreadsheet": "不是电子表格",
    "corrupt_file": "工作簿损坏",
    "zip_bomb": "解压后过大或压缩比异常",
    "encoding": "CSV 编码无法识别",
    "missing_column": "缺少必需的列",
    "duplicate_column": "同一列出现两次",
    "formula": "数据区域含公式",
    "merged_cells": "数据区域含合并单元格",
    "no_data": "没有数据行",
    "policy_year_unknown": "无法确定缴费年度",
}
ROW_CODES: dict[str, str] = {
    "required": "必填项为空",
    "id_format": "身份证号码格式错误（位数、字符、地区码、出生日期、顺序码）",
    "id_check": "身份证号码校验位错误",
    "id_numeric": "身份证号码被 Excel 存为数字而丢失末几位",
    "name_length": "姓名超过 50 个字",
    "name_chars": "姓名含不允许的字符",
    "choice": "不是可选的取值",
    "month_format": "年月格式错误",
    "month_too_early": "年月早于允许的最早月份",
    "month_too_late": "年月晚于允许的最晚月份",
    "month_order": "起始年月晚于终止年月",
    "wage_format": "金额格式错误",
    "wage_range": "金额不大于零或超过上限",
    "phone_format": "联系电话格式错误",
    "text_length": "文字过长",
    "duplicate_in_file": "同一人员在文件中重复（补缴：期间重叠）",
    "retirement_age": "已达到法定退休年龄",
    "person_unknown": "社保登记中没有此人",
    "name_mismatch": "姓名与登记信息不一致",
    "already_enrolled": "已在本单位参保",
    "enrolled_elsewhere": "在其他单位仍在参保",
    "resume_without_history": "续保但没有以往参保记录",
    "period_overlap": "起始年月与以往参保期间重叠",
    "not_enrolled_here": "未在本单位参保",
    "month_before_start": "终止年月早于参保起始年月",
    "not_enrolled_in_year": "申报的缴费年度内未在本单位参保",
    "never_enrolled_here": "从未在本单位参保",
    "month_already_billed": "补缴的月份已核定缴费（本单位已为该人员缴费或补缴）",
}
WARNING_CODES: dict[str, str] = {
    "extra_column": "多余的列已忽略",
    "blank_rows": "中间的空行已忽略",
    "reason_mismatch": "增员原因与参保记录不符",
    "hukou_differs": "户口性质与登记信息不一致",
    "formula_outside": "数据区域以外的公式已忽略",
}


def file_error(code: str, message: str, column: str = "", value: str = "") -> RowError:
    return RowError(None, column, value, code, message)
