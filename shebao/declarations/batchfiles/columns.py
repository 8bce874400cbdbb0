"""Columns of batch files: each turns one cell into a clean value or raises CellError.

Parsers are pure and know nothing of other cells; rules across cells live in rules.py.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.db import models

from shebao.lib.idnumbers import IdentifierError, id_check_char, normalize_id_number
from shebao.lib.money import MoneyError, decimal_to_fen, parse_yuan
from shebao.lib.periods import Month, PeriodError
from shebao.lib.spreadsheets import Cell
from shebao.registry.choices import EndReason, Hukou, StartReason

from .cells import cell_text, integral_digits, is_number, looks_scientific, number_decimal
from .errors import CellError

# [decision] A monthly wage above one million yuan is a typing slip (an annual figure,
# extra zeros), not a wage; the base is clamped to the policy limits anyway.
WAGE_MAX_FEN = 100_000_000
NAME_MAX = 50
TEXT_MAX = 200

_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}


@dataclass(frozen=True)
class Column:
    header: str  # exact header name; also the error's `column`
    field: str  # attribute of the record
    parse: Callable[[Cell, dt.date], object]  # (cell, as_of) -> clean value
    note: str  # 填表说明
    example: str
    width: float = 14
    text: bool = False  # formatted as text in blank forms so Excel keeps what is typed
    choices: tuple[str, ...] = ()
    number_format: str | None = None


# --- citizen ID ----------------------------------------------------------------------

_NUMERIC_ID = ("身份证号码被 Excel 当作数字保存，末尾几位已丢失（显示为“{0}”）："
               "请把该列设置为“文本”格式后重新录入完整的 18 位号码")


def parse_id_number(value: Cell, today: dt.date | None = None) -> str:
    """The 18-digit citizen ID in a cell; refuses numbers that lost digits in Excel."""
    if is_number(value):
        digits = integral_digits(value)
        # Excel keeps 15 significant digits: only a 15-digit legacy number survives.
        if digits is None or len(digits) > 15:
            raise CellError("id_numeric", _NUMERIC_ID.format(cell_text(value)))
        text = digits
    else:
        text = cell_text(value)
        if not text:
            raise CellError("required", "身份证号码不能为空")
        if looks_scientific(text):
            raise CellError("id_numeric", _NUMERIC_ID.format(text))
    try:
        return normalize_id_number(text, today=today)
    except IdentifierError as exc:
        raise CellError(_id_code(text, today), str(exc)) from None


def _id_code(text: str, today: dt.date | None) -> str:
    """'id_check' when the check char is the only fault, else 'id_format'."""
    raw = "".join(text.translate(_FULLWIDTH).split()).upper()
    if len(raw) != 18 or not (raw[:17].isascii() and raw[:17].isdigit()):
        return "id_format"
    try:
        normalize_id_number(raw[:17] + id_check_char(raw[:17]), today=today)
    except IdentifierError:
        return "id_format"
    return "id_check"


# --- name ----------------------------------------------------------------------------

# Middle dots people type between the parts of a minority or foreign name.
_DOTS = str.maketrans(dict.fromkeys("•・･．.‧∙⋅", "·"))
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f〇"
_PART = rf"[{_HAN}A-Za-z]+"
_NAME_RE = re.compile(rf"^{_PART}(?:[· ]{_PART})*$")
_SPACE_BETWEEN_HAN = re.compile(rf"(?<=[{_HAN}])\s+(?=[{_HAN}])")


def parse_name(value: Cell, as_of: dt.date | None = None) -> str:
    """A person's name: Chinese characters or letters, parts joined by '·' or a space.

    '张  三' (spaces to align two-character names) becomes '张三'.
    """
    if is_number(value):
        raise CellError("name_chars", f"姓名“{cell_text(value)}”不能是数字")
    text = cell_text(value).translate(_FULLWIDTH).translate(_DOTS)
    if not text:
        raise CellError("required", "姓名不能为空")
    text = " ".join(_SPACE_BETWEEN_HAN.sub("", text).split())
    if len(text) > NAME_MAX:
        raise CellError("name_length", f"姓名不能超过 {NAME_MAX} 个字，实为 {len(text)} 个")
    if not _NAME_RE.match(text):
        raise CellError("name_chars", f"姓名“{text}”只能包含汉字、字母和间隔号“·”")
    return text


# --- choices, months, amounts, phone, text --------------------------------------------


def choice_parser(label: str,
                  choices: type[models.TextChoices]) -> Callable[[Cell, dt.date], object]:
    by_label = {str(lbl): value for value, lbl in choices.choices}
    options = "、".join(f"“{lbl}”" for lbl in by_label)

    def parse(value: Cell, as_of: dt.date) -> str:
        text = "".join(cell_text(value).split())
        if not text:
            raise CellError("required", f"{label}不能为空")
        if text not in by_label:
            raise CellError("choice", f"{label}“{text}”无效，应为{options}之一")
        return str(by_label[text])

    return parse


def month_parser(label: str) -> Callable[[Cell, dt.date], object]:
    def parse(value: Cell, as_of: dt.date) -> Month:
        if isinstance(value, dt.date):  # a date cell: Excel turned 2025-03 into 2025-03-01
            return Month.of(value)
        if is_number(value):
            digits = integral_digits(value)
            if digits is None:
                raise CellError("month_format", f"{label}“{cell_text(value)}”被 Excel 存为小数，"
                                f"{_AMBIGUOUS}")
            text = digits
        else:
            text = cell_text(value)
        if not text:
            raise CellError("required", f"{label}不能为空")
        if _DECIMAL_JANUARY.match(text):  # a CSV saved from a number cell holding 2025.10
            raise CellError("month_format", f"{label}“{text}”可能是被存为数字的 "
                            f"{text}0，{_AMBIGUOUS}")
        try:
            return _month(text)
        except PeriodError as exc:
            raise CellError("month_format", f"{label}：{exc}") from None

    return parse


_DECIMAL_JANUARY = re.compile(r"^\d{4}\.1$")
_AMBIGUOUS = "无法区分 1 月和 10 月：请把该列设为文本格式，写作 YYYYMM 或 YYYY-MM"


@lru_cache(maxsize=4096)
def _month(text: str) -> Month:
    # A file names a handful of distinct months over and over.
    return Month.parse(text)


def wage_parser(label: str) -> Callable[[Cell, dt.date], object]:
    def parse(value: Cell, as_of: dt.date) -> int:
        try:
            if is_number(value):
                assert isinstance(value, int | float)
                fen = decimal_to_fen(number_decimal(value))
            else:
                text = cell_text(value)
                if not text:
                    raise CellError("required", f"{label}不能为空")
                fen = parse_yuan(text)
        except MoneyError as exc:
            raise CellError("wage_format", f"{label}：{exc}") from None
        if fen <= 0:
            raise CellError("wage_range", f"{label}必须大于零")
        if fen > WAGE_MAX_FEN:
            raise CellError("wage_range", f"{label}超过上限 {WAGE_MAX_FEN // 100:,} 元，请核对")
        return fen

    return parse


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")


def parse_phone(value: Cell, as_of: dt.date | None = None) -> str:
    """A mobile number (1[3-9] and 9 digits) or a landline with area code (010-62345678)."""
    digits = integral_digits(value)
    text = digits if digits is not None else cell_text(value)
    text = "".join(text.translate(_FULLWIDTH).split()).replace("—", "-").replace("－", "-")
    if not text:
        raise CellError("required", "联系电话不能为空")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    hint = "（以 0 开头的固定电话请把该列设为文本格式）" if digits is not None else ""
    raise CellError("phone_format", f"联系电话“{cell_text(value)}”格式错误：应为 11 位手机号码"
                    f"或带区号的固定电话，如 010-62345678{hint}")


def text_parser(label: str) -> Callable[[Cell, dt.date], object]:
    def parse(value: Cell, as_of: dt.date) -> str:
        text = cell_text(value)
        if not text:
            raise CellError("required", f"{label}不能为空")
        if len(text) > TEXT_MAX:
            raise CellError("text_length", f"{label}不能超过 {TEXT_MAX} 个字，实为 {len(text)} 个")
        return text

    return parse


# --- the columns -----------------------------------------------------------------------

ID = Column("身份证号码", "id_number", parse_id_number,
            "18 位公民身份号码，末位可为 X；15 位旧号码自动转为 18 位。请保持文本格式，"
            "以免 Excel 把号码变成科学计数法", "110105198506150014", width=22, text=True)
NAME = Column("姓名", "name", parse_name,
              "与身份证一致，最多 50 个字；少数民族或外籍人员姓名中间用“·”", "张三", width=12)
HUKOU = Column("户口性质", "hukou", choice_parser("户口性质", Hukou),
               "从下拉列表选择：城镇 或 农村", "城镇", width=10, choices=tuple(Hukou.labels))
START_REASON = Column("增员原因", "reason", choice_parser("增员原因", StartReason),
                      "从下拉列表选择：新参保、转入 或 续保（以前参过保）", "新参保", width=10,
                      choices=tuple(StartReason.labels))
END_REASON = Column("减员原因", "reason", choice_parser("减员原因", EndReason),
                    "从下拉列表选择：转出、解除劳动合同、终止劳动合同、退休、死亡 或 其他",
                    "解除劳动合同", width=14, choices=tuple(EndReason.labels))
WAGE = Column("月缴费工资", "wage", wage_parser("月缴费工资"),
              "单位：元，大于零，最多两位小数；可带千位分隔符", "12000.00", width=14,
              number_format="#,##0.00")
PHONE = Column("联系电话", "phone", parse_phone,
               "11 位手机号码，或带区号的固定电话，如 010-62345678", "13800138000",
               width=16, text=True)
BACKPAY_REASON = Column("补缴原因", "reason", text_parser("补缴原因"),
                        "说明应缴未缴的原因，最多 200 个字；证明材料另行提交", "入职当月漏报",
                        width=30)


def month_column(header: str, field: str, note: str, example: str) -> Column:
    return Column(header, field, month_parser(header), note, example, width=12, text=True)
