"""Citizen ID numbers (GB 11643-1999), USCCs (GB 32100-2015), org codes (GB 11714-1997).

Valid cases are built from hand-written bodies with check chars computed by the reference
functions below, derived differently from the module (weights as powers of 2 mod 11 and
of 3 mod 31, check char found by search), so the tests do not repeat the implementation.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shebao.lib.idnumbers import (
    IdentifierError,
    format_org_code,
    id_birth_date,
    id_check_char,
    id_sex,
    normalize_id_number,
    normalize_org_code,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
    uscc_org_code,
)

TODAY = dt.date(2025, 6, 1)
ORG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PROVINCES = [
    *range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55),
    *range(61, 66), 71, 81, 82, 83,
]  # fmt: skip


def ref_id(body17: str) -> str:
    """ISO 7064 MOD 11-2: weights 2^(17-i) mod 11; the whole sum ≡ 1 (mod 11)."""
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body17))
    value = next(v for v in range(11) if (total + v) % 11 == 1)
    return "X" if value == 10 else str(value)


def ref_org(body8: str) -> str:
    """GB 11714: weights 2^(8-i) mod 11; the whole sum ≡ 0 (mod 11)."""
    total = sum(ORG_CHARS.index(c) * pow(2, 8 - i, 11) for i, c in enumerate(body8))
    value = next(v for v in range(11) if (total + v) % 11 == 0)
    return "X" if value == 10 else str(value)


def ref_uscc(body17: str) -> str:
    """GB 32100: weights 3^i mod 31; the whole sum ≡ 0 (mod 31)."""
    total = sum(USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return USCC_CHARS[next(v for v in range(31) if (total + v) % 31 == 0)]


def full_id(body17: str) -> str:
    return body17 + ref_id(body17)


def full_uscc(authority: str, category: str, division: str, org8: str) -> str:
    body = authority + category + division + org8 + ref_org(org8)
    return body + ref_uscc(body)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def wrong_char(right: str, chars: str = "0123456789X") -> str:
    return next(c for c in chars if c != right)


def assert_refused(func, text: str, fragment: str, **kwargs) -> None:
    with pytest.raises(IdentifierError) as info:
        func(text, **kwargs)
    assert fragment in str(info.value)


# --- Citizen ID numbers ----------------------------------------------------------------

ID_BODIES = [
    "11010519491231002",  # GB 11643-1999's own example: 11010519491231002X
    "11010119800101007",  # check X
    "31010419751120006",  # check X
    "44030520000229007",  # leap day, check X
    "51010719991231002",  # check X
    "65010219000101018",  # earliest accepted birth date, check X
    "81000019870615005",  # Hong Kong, check X
    "83000020010909003",  # Taiwan resident's residence permit, check X
    "37020219680303009",  # check X
    "22010219590717006",  # check X
    "11010820250601001",  # born today
    "12010119560229012",
    "13010219700101123",
    "14010519881010345",
    "15010219910505551",
    "21010219620808666",
    "23010219330303777",
    "32010219451001888",
    "33010219770707999",
    "34010219990909001",
    "35010219881111013",
    "36010219501212024",
    "41010219601010035",
    "42010219700202046",
    "43010219800303057",
    "45010219900404068",
    "46010220000505079",
    "50010219550606080",
    "52010219650707091",
    "53010219750808102",
    "54010219850909113",
    "61010219951010124",
    "62010220051111135",
    "63010220151212146",
    "64010219490101157",
    "71000019680202168",
    "82000019780303179",
]

VALID_IDS = [(full_id(b), full_id(b)) for b in ID_BODIES] + [
    ("11010519491231002X", "11010519491231002X"),  # published, hard-coded
    ("11010519491231002x", "11010519491231002X"),  # lower-case x
    ("31010419751120006x", "31010419751120006X"),
    (fullwidth("11010519491231002X"), "11010519491231002X"),
    (fullwidth("11010519491231002x"), "11010519491231002X"),
    ("110105 19491231 002X", "11010519491231002X"),
    ("\u300011010519491231002X\u3000", "11010519491231002X"),  # ideographic spaces
    (" 11010519491231002X\n", "11010519491231002X"),
    ("110105491231002", "11010519491231002X"),  # legacy 15 digits
    ("310104751120006", "31010419751120006X"),
    ("440524800101001", full_id("44052419800101001")),
    ("650102000101018", "65010219000101018X"),
    (fullwidth("110105491231002"), "11010519491231002X"),
    ("110105 491231 002", "11010519491231002X"),
]


@pytest.mark.parametrize(("text", "expected"), VALID_IDS)
def test_accepts_valid_id_number(text: str, expected: str) -> None:
    assert normalize_id_number(text, today=TODAY) == expected


INVALID_IDS = [
    ("", "不能为空"),
    ("   ", "不能为空"),
    ("1101051949123100", "应为 18 位（旧版为 15 位），实为 16 位"),
    ("11010519491231002", "实为 17 位"),
    ("11010519491231002X1", "实为 19 位"),
    ("110105-19491231002X", "实为 19 位"),
    ("11010549123100", "实为 14 位"),
    ("A1010519491231002X", "第 1 位“A”应为数字"),
    ("1101051949123100XX", "第 17 位“X”应为数字"),
    ("11010519491231002Y", "第 18 位（校验位）“Y”应为数字或 X"),
    ("11010519491231002*", "第 18 位（校验位）“*”"),
    ("11010549123100X", "15 位旧版身份证号码第 15 位“X”应为数字"),
    (full_id("99010519491231002"), "前两位“99”不是有效的省级行政区划代码"),
    (full_id("00010519491231002"), "前两位“00”"),
    (full_id("16010519491231002"), "前两位“16”"),
    (full_id("72010519491231002"), "前两位“72”"),
    (full_id("84010519491231002"), "前两位“84”"),
    ("990105491231002", "前两位“99”"),
    (full_id("11010519490230002"), "出生日期“19490230”不是有效日期"),  # Feb 30
    (full_id("11010519000229002"), "出生日期“19000229”不是有效日期"),  # 1900 not leap
    (full_id("11010519491301002"), "出生日期“19491301”不是有效日期"),
    (full_id("11010519491200002"), "出生日期“19491200”不是有效日期"),
    (full_id("11010500000101002"), "出生日期“00000101”不是有效日期"),
    ("110105490230002", "出生日期“19490230”不是有效日期"),
    (full_id("11010820250602001"), "出生日期 2025年6月2日 晚于今天（2025年6月1日）"),
    (full_id("11010830000101001"), "晚于今天"),
    (full_id("11010518991231002"), "早于 1900年1月1日"),
    ("440524188001010014", "出生日期 1880年1月1日 早于 1900年1月1日"),  # GB 11643 example
    (full_id("11010519491231000"), "顺序码不能为 000"),
    ("110105491231000", "顺序码不能为 000"),
    ("110105194912310021", "校验位错误：应为 X，实为 1"),
    ("110105194912310025", "校验位错误：应为 X，实为 5"),
    ("11010519491231002" + "0", "应为 X，实为 0"),
    (fullwidth("110105194912310025"), "应为 X，实为 5"),
    ("11010519491213002X", "校验位错误"),  # transposed digits
    ("11010519941231002X", "校验位错误"),
    ("11010119800101007" + "7", "应为 X，实为 7"),
    ("12010119560229012" + wrong_char(ref_id("12010119560229012")), "校验位错误"),
    ("44030520000229007" + "1", "应为 X，实为 1"),
]


@pytest.mark.parametrize(("text", "fragment"), INVALID_IDS)
def test_refuses_invalid_id_number(text: str, fragment: str) -> None:
    assert_refused(normalize_id_number, text, fragment, today=TODAY)


def test_id_today_defaults_to_the_real_today() -> None:
    assert_refused(normalize_id_number, full_id("11010829991231001"), "晚于今天")
    assert normalize_id_number("11010519491231002X") == "11010519491231002X"


def test_identifier_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="校验位"):
        normalize_id_number("110105194912310021", today=TODAY)


@pytest.mark.parametrize(
    ("text", "birth", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), "F"),
        ("11010519491231002x", dt.date(1949, 12, 31), "F"),
        ("110105491231002", dt.date(1949, 12, 31), "F"),
        (full_id("44030520000229007"), dt.date(2000, 2, 29), "M"),
        (full_id("13010219700101123"), dt.date(1970, 1, 1), "M"),
        (full_id("33010219770707999"), dt.date(1977, 7, 7), "M"),
        (full_id("36010219501212024"), dt.date(1950, 12, 12), "F"),
        (full_id("65010219000101018"), dt.date(1900, 1, 1), "F"),
    ],
)
def test_birth_date_and_sex(text: str, birth: dt.date, sex: str) -> None:
    assert id_birth_date(text) == birth
    assert id_sex(text) == sex


def test_birth_date_of_invalid_number_is_refused() -> None:
    assert_refused(id_birth_date, full_id("11010519490230002"), "不是有效日期")
    assert_refused(id_sex, "110105194912310021", "校验位错误")


@pytest.mark.parametrize(
    ("body", "expected"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("11010119800101007", "X")],
)
def test_id_check_char(body: str, expected: str) -> None:
    assert id_check_char(body) == expected


@pytest.mark.parametrize(
    "body", ["", "1101051949123100", "110105194912310021", "1101051949123100X"]
)
def test_id_check_char_needs_17_digits(body: str) -> None:
    assert_refused(id_check_char, body, "17 位数字")


id_bodies = st.builds(
    lambda province, county, birth, seq: f"{province}{county}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(PROVINCES),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY),
    st.integers(1, 999),
)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digit_body_gets_the_mod_11_2_check_char(body: str) -> None:
    check = id_check_char(body)
    assert check == ref_id(body)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1]
    values = [int(c) for c in body] + [10 if check == "X" else int(check)]
    assert sum(v * w for v, w in zip(values, weights, strict=True)) % 11 == 1


@given(id_bodies)
def test_valid_id_number_round_trips(body: str) -> None:
    id18 = body + id_check_char(body)
    assert normalize_id_number(id18, today=TODAY) == id18
    assert normalize_id_number(fullwidth(id18.lower()), today=TODAY) == id18
    assert id_birth_date(id18) == dt.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    assert id_sex(id18) == ("M" if int(body[16]) % 2 else "F")
    if body[6:8] == "19":
        assert normalize_id_number(body[:6] + body[8:17], today=TODAY) == id18


@given(id_bodies, st.data())
def test_changing_one_character_invalidates_id_number(body: str, data: st.DataObject) -> None:
    id18 = body + id_check_char(body)
    pos = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from("0123456789X").filter(lambda c: c != id18[pos]))
    with pytest.raises(IdentifierError):
        normalize_id_number(id18[:pos] + new + id18[pos + 1 :], today=TODAY)


# --- Organization codes ----------------------------------------------------------------

ORG_BODIES = [
    "55138508",  # embedded in the published USCC 91110108551385082Q
    "00000006",  # check X
    "12345677",  # check X
    "ABCDEFG9",  # check X
    "MA01XYZ2",  # check X
    "70000001",  # check X
    "10101011",  # check X
    "W0000002",  # check X
    "00000000",  # check 0 (c = 11)
    "12345671",  # check 0
    "ABCDEFG3",
    "MA01XYZ7",
    "40000000",
    "12121212",
    "88888888",
    "99999999",
    "OIZSV123",  # letters a USCC never uses are fine in an organization code
    "ZZZZZZZZ",
    "E0001789",
    "MA0012AB",
]

VALID_ORG_CODES = [(b + ref_org(b), b + ref_org(b)) for b in ORG_BODIES] + [
    ("55138508-2", "551385082"),  # hard-coded
    ("551385082", "551385082"),
    ("55138508－2", "551385082"),  # full-width hyphen
    ("55138508—2", "551385082"),  # em dash
    ("55138508–2", "551385082"),  # en dash
    (fullwidth("55138508-2"), "551385082"),
    (" 55138508 - 2 ", "551385082"),
    ("00000006-X", "00000006X"),
    ("00000006-x", "00000006X"),  # lower-case x
    ("00000006x", "00000006X"),
    ("abcdefg9-x", "ABCDEFG9X"),
    (fullwidth("ma01xyz2-x"), "MA01XYZ2X"),
    ("12345671-0", "123456710"),
]


@pytest.mark.parametrize(("text", "expected"), VALID_ORG_CODES)
def test_accepts_valid_org_code(text: str, expected: str) -> None:
    assert normalize_org_code(text) == expected


INVALID_ORG_CODES = [
    ("", "不能为空"),
    (" - ", "格式错误"),
    ("5513850", "应为 9 位（可写作 XXXXXXXX-X），实为 7 位"),
    ("55138508", "实为 8 位"),
    ("5513850822", "实为 10 位"),
    ("55138508.2", "实为 10 位"),
    ("91110108551385082Q", "实为 18 位"),
    ("5513850-82", "格式错误，应写作 XXXXXXXX-X"),
    ("55138508--2", "格式错误"),
    ("-551385082", "格式错误"),
    ("55138508-22", "格式错误"),
    ("5513850*-2", "第 8 位“*”应为数字或大写字母"),
    ("中5138508-2", "第 1 位“中”"),
    ("55138508-A", "第 9 位（校验位）“A”应为数字或 X"),
    ("55138508-Y", "第 9 位（校验位）“Y”"),
    ("55138508-3", "校验位错误：应为 2，实为 3"),
    ("551385083", "应为 2，实为 3"),
    ("00000006-0", "应为 X，实为 0"),
    ("00000006-1", "应为 X，实为 1"),
    ("12345677-9", "应为 X，实为 9"),
    ("00000000-X", "应为 0，实为 X"),
    ("51138508-2", "校验位错误"),
    ("55318508-2", "校验位错误"),  # transposed
    (fullwidth("55138508-3"), "应为 2，实为 3"),
]
INVALID_ORG_CODES += [(b + wrong_char(ref_org(b)), "校验位错误") for b in ORG_BODIES[10:16]]


@pytest.mark.parametrize(("text", "fragment"), INVALID_ORG_CODES)
def test_refuses_invalid_org_code(text: str, fragment: str) -> None:
    assert_refused(normalize_org_code, text, fragment)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("551385082", "55138508-2"), ("00000006x", "00000006-X"), ("55138508－2", "55138508-2")],
)
def test_format_org_code(text: str, expected: str) -> None:
    assert format_org_code(text) == expected


@pytest.mark.parametrize(("body", "expected"), [("55138508", "2"), ("00000006", "X")])
def test_org_code_check_char(body: str, expected: str) -> None:
    assert org_code_check_char(body) == expected


@pytest.mark.parametrize("body", ["", "5513850", "551385082", "5513850*", "5513850a"])
def test_org_code_check_char_needs_8_chars(body: str) -> None:
    assert_refused(org_code_check_char, body, "8 位数字或大写字母")


def test_gb_11714_cannot_see_a_change_of_eleven() -> None:
    # A property of the standard, not of our code: "0" (0) and "B" (11) weigh the same
    # mod 11, so the check char cannot tell them apart.
    assert normalize_org_code("00000006-X") == "00000006X"
    assert normalize_org_code("B0000006-X") == "B0000006X"


@given(st.text(alphabet=ORG_CHARS, min_size=8, max_size=8))
def test_org_code_round_trips(body: str) -> None:
    code = body + org_code_check_char(body)
    assert org_code_check_char(body) == ref_org(body)
    assert normalize_org_code(code) == code
    assert normalize_org_code(format_org_code(code).lower()) == code


@given(st.text(alphabet=ORG_CHARS, min_size=8, max_size=8), st.data())
def test_changing_one_character_invalidates_org_code(body: str, data: st.DataObject) -> None:
    code = body + org_code_check_char(body)
    pos = data.draw(st.integers(0, 8))
    chars = ORG_CHARS if pos < 8 else "0123456789X"
    new = data.draw(st.sampled_from(chars).filter(lambda c: c != code[pos]))
    if pos < 8:
        # The one blind spot of GB 11714 (see the test above).
        assume((ORG_CHARS.index(new) - ORG_CHARS.index(code[pos])) % 11 != 0)
    with pytest.raises(IdentifierError):
        normalize_org_code(code[:pos] + new + code[pos + 1 :])


# --- Unified social credit codes -------------------------------------------------------

USCC_PARTS = [
    ("9", "1", "110108", "55138508"),  # the published 91110108551385082Q
    ("9", "1", "110000", "00000006"),  # org check X
    ("9", "1", "310115", "12345677"),  # org check X
    ("9", "2", "110105", "70000001"),  # individual business, org check X
    ("9", "3", "440300", "10101011"),  # farmers' cooperative, org check X
    ("1", "1", "100000", "00000000"),  # central government organ, org check 0
    ("1", "2", "110000", "40000000"),
    ("5", "1", "110000", "50001234"),
    ("5", "2", "110108", "MA0012AB"),
    ("5", "3", "100000", "50000001"),
    ("Y", "1", "110000", "MA01BCDE"),
    ("3", "1", "110000", "E0001789"),  # law firm
    ("8", "1", "110105", "MA01NPQR"),  # trade union
    ("7", "1", "110102", "MA00TUWX"),
    ("2", "1", "110000", "MA0000LY"),
    ("4", "1", "110000", "12121212"),
    ("6", "1", "110000", "88888888"),
    ("A", "1", "100000", "MA0000KJ"),
    ("N", "2", "110228", "MA0000HG"),
    ("9", "1", "110108", "MA00FDCB"),
    ("9", "1", "650100", "99999999"),
    ("9", "1", "540000", "MA6TQ1UL"),
]

VALID_USCCS = [(full_uscc(*p), full_uscc(*p)) for p in USCC_PARTS] + [
    ("91110108551385082Q", "91110108551385082Q"),  # hard-coded published example
    ("91110108551385082q", "91110108551385082Q"),
    (fullwidth("91110108551385082Q"), "91110108551385082Q"),
    (fullwidth("91110108551385082q"), "91110108551385082Q"),
    ("9111 0108 5513 8508 2Q", "91110108551385082Q"),
    ("\u300091110108551385082Q\n", "91110108551385082Q"),
]


@pytest.mark.parametrize(("text", "expected"), VALID_USCCS)
def test_accepts_valid_uscc(text: str, expected: str) -> None:
    assert normalize_uscc(text) == expected


def test_published_uscc_embeds_its_org_code() -> None:
    assert uscc_check_char("91110108551385082") == "Q"
    assert uscc_org_code("91110108551385082q") == "551385082"
    assert format_org_code(uscc_org_code("91110108551385082Q")) == "55138508-2"
    assert org_code_check_char("55138508") == "2"


def with_checks(first16: str) -> str:
    """first16 + a correct org check + a correct USCC check, to isolate another fault."""
    body = first16 + ref_org(first16[8:])
    return body + ref_uscc(body)


INVALID_USCCS = [
    ("", "不能为空"),
    ("91110108551385082", "应为 18 位，实为 17 位"),
    ("91110108551385082QQ", "实为 19 位"),
    ("551385082", "实为 9 位"),
    ("110108012345678", "实为 15 位"),  # an old business registration number
    ("91110108551385082I", "第 18 位“I”不是有效字符（不使用字母 I、O、Z、S、V）"),
    ("91110108O51385082Q", "第 9 位“O”不是有效字符（不使用字母 I、O、Z、S、V）"),
    ("9111010855138508ZQ", "第 17 位“Z”"),
    ("S1110108551385082Q", "第 1 位“S”不是有效字符"),
    ("9V110108551385082Q", "第 2 位“V”"),
    ("91110108-51385082Q", "第 9 位“-”不是有效字符（只能是数字或大写字母）"),
    ("91110108551385082中", "第 18 位“中”"),
    (with_checks("0111010855138508"), "第 1 位“0”不是有效的登记管理部门代码"),
    (with_checks("B111010855138508"), "第 1 位“B”"),
    (with_checks("X111010855138508"), "第 1 位“X”"),
    (with_checks("C111010855138508"), "第 1 位“C”"),
    (with_checks("91A1010855138508"), "第 3–8 位“A10108”应为 6 位数字的行政区划代码"),
    (with_checks("911101A855138508"), "第 3–8 位“1101A8”"),
    ("91110108551385082R", "校验位错误：应为 Q，实为 R"),
    ("91110108551385082A", "应为 Q，实为 A"),
    (fullwidth("91110108551385082r"), "应为 Q，实为 R"),
    ("91110108553185082Q", "校验位错误"),  # transposed
    ("91110108551385083Q", "校验位错误"),  # mistyped org check char
    ("92110108551385082Q", "校验位错误"),
    (
        "91110108551385083" + ref_uscc("91110108551385083"),
        "第 9–17 位的组织机构代码 55138508-3 校验位错误：应为 2，实为 3",
    ),
    ("91100000000000006" + ref_uscc("91100000000000006"), "组织机构代码 00000000-6"),
]
INVALID_USCCS += [(c[:17] + wrong_char(c[17], "0Y"), "校验位错误") for c, _ in VALID_USCCS[:4]]


@pytest.mark.parametrize(("text", "fragment"), INVALID_USCCS)
def test_refuses_invalid_uscc(text: str, fragment: str) -> None:
    assert_refused(normalize_uscc, text, fragment)


@pytest.mark.parametrize("body", ["", "9111010855138508", "9111010855138508I", "9111010855138508-"])
def test_uscc_check_char_needs_17_valid_chars(body: str) -> None:
    assert_refused(uscc_check_char, body, "17 位有效字符")


def test_uscc_org_code_of_invalid_code_is_refused() -> None:
    assert_refused(uscc_org_code, "91110108551385082R", "校验位错误")


usccs = st.builds(
    full_uscc,
    st.sampled_from("123456789ANY"),
    st.sampled_from(USCC_CHARS),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_CHARS, min_size=8, max_size=8),
)


@given(usccs)
def test_valid_uscc_round_trips(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert normalize_uscc(code) == code
    assert normalize_uscc(fullwidth(code.lower())) == code
    assert uscc_org_code(code) == code[8:17]
    assert normalize_org_code(format_org_code(uscc_org_code(code))) == code[8:17]


@given(usccs, st.data())
def test_changing_the_check_char_invalidates_uscc(code: str, data: st.DataObject) -> None:
    new = data.draw(st.sampled_from(USCC_CHARS).filter(lambda c: c != code[17]))
    assert_refused(normalize_uscc, code[:17] + new, f"应为 {code[17]}，实为 {new}")


@given(usccs, st.data())
def test_changing_any_one_character_invalidates_uscc(code: str, data: st.DataObject) -> None:
    # 31 is prime and no weight is 0 mod 31, so every single substitution shows.
    pos = data.draw(st.integers(0, 17))
    new = data.draw(st.sampled_from(USCC_CHARS).filter(lambda c: c != code[pos]))
    with pytest.raises(IdentifierError):
        normalize_uscc(code[:pos] + new + code[pos + 1 :])
