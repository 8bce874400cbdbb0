"""Citizen ID numbers, unified social credit codes and organization codes.

Each `normalize_*` takes what a person typed (or a file held) and returns the canonical
form, or raises `IdentifierError` whose message is Chinese, for the user. Input may use
full-width characters, lower case and spaces; nothing else is guessed.

Standards:
- GB 11643-1999 《公民身份号码》: 18 characters, check char by ISO 7064 MOD 11-2.
- GB 32100-2015 《法人和其他组织统一社会信用代码编码规则》: 18 characters, MOD 31.
- GB 11714-1997 《全国组织机构代码编制规则》: 8 characters + check char, MOD 11.
"""

from __future__ import annotations

import datetime as dt


class IdentifierError(ValueError):
    """Text that is not a valid identifier; str() is a Chinese message for the user."""


# The full-width ASCII block (U+FF01–U+FF5E), as typed with a Chinese input method.
_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}
# Dashes people paste between the 8 body chars and the check char of an organization code.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))


def _clean(text: str) -> str:
    """Full-width to ASCII, upper case, every kind of space (U+3000 too) removed."""
    raw = "" if text is None else str(text)
    return "".join(raw.translate(_FULLWIDTH).split()).upper()


def _is_digits(text: str) -> bool:
    # str.isdigit() alone accepts "²" and other scripts' digits.
    return text.isascii() and text.isdigit()


def _first_bad(text: str, allowed: str) -> int | None:
    return next((i for i, ch in enumerate(text) if ch not in allowed), None)


_DIGITS = "0123456789"


# --- Citizen ID number (公民身份号码), GB 11643-1999 -------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# First two digits of the address code: provinces, autonomous regions and municipalities
# (GB/T 2260), 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits of Taiwan residents.
_PROVINCE_SPANS = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83))
_PROVINCES = frozenset(str(n) for lo, hi in _PROVINCE_SPANS for n in range(lo, hi + 1))
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def id_check_char(first17: str) -> str:
    """Check char of a citizen ID body of 17 digits (GB 11643-1999 §4.2, ISO 7064 MOD 11-2).

    Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; check = "10X98765432"[Σ mod 11].
    """
    if len(first17) != 17 or not _is_digits(first17):
        raise IdentifierError(f"身份证号码本体码应为 17 位数字，实为“{first17}”")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def valid_id_number(birth: dt.date, serial: int, *, area: str = "110105") -> str:
    """An ID number with a correct check char: the address code `area` (default Beijing
    Chaoyang), `birth`, the sequence code `serial % 1000` (odd: male), for test data,
    demo-like files and benchmarks. A multiple of 1000 gives sequence 000, which
    `normalize_id_number` refuses."""
    body = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + id_check_char(body)


def normalize_id_number(text: str, *, today: dt.date | None = None) -> str:
    """The 18-character citizen ID number (GB 11643-1999) in `text`, or IdentifierError.

    Accepts full-width digits, a lower-case x and spaces. A legacy 15-digit number
    (address + YYMMDD + sequence, people born in the 1900s) becomes the 18-digit form:
    "19" before the year and the check char appended. Checks the province, that the
    birth date exists, is not before 1900-01-01 nor after `today` (default: today),
    that the sequence is not 000, and the check char.
    """
    return _parse_id(text, latest=today or dt.date.today())


def id_birth_date(id18: str) -> dt.date:
    """Date of birth in a citizen ID number (characters 7–14, GB 11643-1999 §5.2)."""
    return _birth_date(_parse_id(id18, latest=None))


def id_sex(id18: str) -> str:
    """Sex from the sequence code: "M" if character 17 is odd, else "F"."""
    return "M" if int(_parse_id(id18, latest=None)[16]) % 2 else "F"


def _parse_id(text: str, *, latest: dt.date | None) -> str:
    raw = _clean(text)
    if not raw:
        raise IdentifierError("身份证号码不能为空")
    if len(raw) == 15:
        bad = _first_bad(raw, _DIGITS)
        if bad is not None:
            raise IdentifierError(f"15 位旧版身份证号码第 {bad + 1} 位“{raw[bad]}”应为数字")
        body = raw[:6] + "19" + raw[6:]
        raw = body + id_check_char(body)
    elif len(raw) != 18:
        raise IdentifierError(f"身份证号码应为 18 位（旧版为 15 位），实为 {len(raw)} 位")
    bad = _first_bad(raw[:17], _DIGITS)
    if bad is not None:
        raise IdentifierError(f"身份证号码第 {bad + 1} 位“{raw[bad]}”应为数字")
    if raw[17] not in _DIGITS + "X":
        raise IdentifierError(f"身份证号码第 18 位（校验位）“{raw[17]}”应为数字或 X")
    if raw[:2] not in _PROVINCES:
        raise IdentifierError(f"身份证号码前两位“{raw[:2]}”不是有效的省级行政区划代码")
    birth = _birth_date(raw)
    if birth < _EARLIEST_BIRTH:
        raise IdentifierError(f"身份证号码中的出生日期 {_cn(birth)} 早于 1900年1月1日")
    if latest is not None and birth > latest:
        raise IdentifierError(f"身份证号码中的出生日期 {_cn(birth)} 晚于今天（{_cn(latest)}）")
    if raw[14:17] == "000":
        raise IdentifierError("身份证号码第 15–17 位顺序码不能为 000")
    expected = id_check_char(raw[:17])
    if raw[17] != expected:
        raise IdentifierError(f"身份证号码校验位错误：应为 {expected}，实为 {raw[17]}")
    return raw


def _birth_date(id18: str) -> dt.date:
    try:
        return dt.date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError:
        raise IdentifierError(f"身份证号码中的出生日期“{id18[6:14]}”不是有效日期") from None


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Organization code (组织机构代码), GB 11714-1997 -------------------------------------

_ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # value = index: 0-9, A=10 … Z=35
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(first8: str) -> str:
    """Check char of an organization code body of 8 chars (GB 11714-1997 §4).

    Digits and capital letters valued 0–35, weights 3 7 9 10 5 8 4 2;
    c = 11 − (Σ mod 11), written "X" for 10 and "0" for 11.
    """
    if len(first8) != 8 or _first_bad(first8, _ORG_CHARS) is not None:
        raise IdentifierError(f"组织机构代码本体码应为 8 位数字或大写字母，实为“{first8}”")
    total = sum(_ORG_CHARS.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def normalize_org_code(text: str) -> str:
    """The 9-character organization code (GB 11714-1997) in `text`, without the hyphen.

    Accepts "XXXXXXXX-X" or 9 characters, full-width or lower case, with spaces.
    """
    raw = _clean(text).translate(_DASHES)
    if not raw:
        raise IdentifierError("组织机构代码不能为空")
    if "-" in raw:
        if len(raw) != 10 or raw.index("-") != 8 or raw.count("-") != 1:
            raise IdentifierError(f"组织机构代码“{raw}”格式错误，应写作 XXXXXXXX-X")
        raw = raw.replace("-", "")
    if len(raw) != 9:
        raise IdentifierError(f"组织机构代码应为 9 位（可写作 XXXXXXXX-X），实为 {len(raw)} 位")
    bad = _first_bad(raw[:8], _ORG_CHARS)
    if bad is not None:
        raise IdentifierError(f"组织机构代码第 {bad + 1} 位“{raw[bad]}”应为数字或大写字母")
    if raw[8] not in _DIGITS + "X":
        raise IdentifierError(f"组织机构代码第 9 位（校验位）“{raw[8]}”应为数字或 X")
    expected = org_code_check_char(raw[:8])
    if raw[8] != expected:
        raise IdentifierError(f"组织机构代码校验位错误：应为 {expected}，实为 {raw[8]}")
    return raw


def format_org_code(code9: str) -> str:
    """An organization code as printed on certificates: "XXXXXXXX-X"."""
    code = normalize_org_code(code9)
    return f"{code[:8]}-{code[8]}"


# --- Unified social credit code (统一社会信用代码), GB 32100-2015 ------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V; value = index
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority (登记管理部门) codes: GB 32100-2015 table 1 has 1 机构编制,
# 5 民政, 9 工商, Y 其他; the national code centre has since assigned 2 外交, 3 司法行政
# (law firms: 31…), 4 文化, 6 旅游, 7 宗教, 8 工会 (trade unions: 81…),
# A 中央军委改革和编制办公室 and N 农业. All of them employ staff and pay contributions.
_USCC_AUTHORITIES = "123456789ANY"


def uscc_check_char(first17: str) -> str:
    """Check char of a unified social credit code body of 17 chars (GB 32100-2015 §4.3).

    Alphabet 0-9 A-Y without I O Z S V valued 0–30, weights 3^i mod 31
    (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28); check = alphabet[(31 − Σ mod 31) mod 31].
    """
    if len(first17) != 17 or _first_bad(first17, USCC_ALPHABET) is not None:
        raise IdentifierError(f"统一社会信用代码本体码应为 17 位有效字符，实为“{first17}”")
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(text: str) -> str:
    """The 18-character unified social credit code (GB 32100-2015) in `text`.

    Accepts lower case, full-width characters and spaces. Checks the alphabet, the
    registration authority (character 1), the 6-digit administrative division
    (characters 3–8), the final check char and the embedded organization code
    (characters 9–17, GB 11714-1997 check).
    """
    raw = _clean(text)
    if not raw:
        raise IdentifierError("统一社会信用代码不能为空")
    if len(raw) != 18:
        raise IdentifierError(f"统一社会信用代码应为 18 位，实为 {len(raw)} 位")
    bad = _first_bad(raw, USCC_ALPHABET)
    if bad is not None:
        why = "不使用字母 I、O、Z、S、V" if raw[bad] in "IOZSV" else "只能是数字或大写字母"
        raise IdentifierError(f"统一社会信用代码第 {bad + 1} 位“{raw[bad]}”不是有效字符（{why}）")
    if raw[0] not in _USCC_AUTHORITIES:
        raise IdentifierError(f"统一社会信用代码第 1 位“{raw[0]}”不是有效的登记管理部门代码")
    if not _is_digits(raw[2:8]):
        raise IdentifierError(f"统一社会信用代码第 3–8 位“{raw[2:8]}”应为 6 位数字的行政区划代码")
    # The final check first: it catches any single mistyped character.
    expected = uscc_check_char(raw[:17])
    if raw[17] != expected:
        raise IdentifierError(f"统一社会信用代码校验位错误：应为 {expected}，实为 {raw[17]}")
    org_expected = org_code_check_char(raw[8:16])
    if raw[16] != org_expected:
        raise IdentifierError(
            f"统一社会信用代码第 9–17 位的组织机构代码 {raw[8:16]}-{raw[16]} 校验位错误："
            f"应为 {org_expected}，实为 {raw[16]}"
        )
    return raw


def uscc_org_code(uscc: str) -> str:
    """The organization code embedded in a unified social credit code: characters 9–17."""
    return normalize_uscc(uscc)[8:17]
