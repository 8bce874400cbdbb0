"""Property: any valid 增员 file validates with no error and gives back what was written."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.declarations.batchfiles.columns import WAGE_MAX_FEN
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.money import format_fen, format_fen_grouped
from shebao.lib.periods import Month

from .samples import AS_OF, HEADERS, check, csv_bytes, xlsx_bytes

HAN = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
AREAS = ("110101", "110105", "110108", "310104", "440305", "650102")
HUKOU = {"城镇": "urban", "农村": "rural"}
REASONS = {"新参保": "new", "转入": "transfer_in", "续保": "resume"}

han_part = st.text(alphabet=HAN, min_size=1, max_size=4)
latin_part = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                     min_size=1, max_size=8)
names = st.one_of(
    han_part,
    st.lists(han_part, min_size=2, max_size=3).map("·".join),  # minority names
    st.lists(latin_part, min_size=1, max_size=3).map(" ".join),
).filter(lambda n: len(n) <= 50)

people = st.builds(
    lambda birth, serial, area: valid_id_number(birth, serial, area=area),
    st.dates(dt.date(1975, 1, 1), dt.date(2005, 12, 31)),  # working age on AS_OF
    st.integers(1, 999),
    st.sampled_from(AREAS),
)

rows = st.tuples(
    people, names, st.sampled_from(list(HUKOU)), st.sampled_from(list(REASONS)),
    st.integers(0, 3),  # months after the effective month
    st.integers(1, WAGE_MAX_FEN),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.sampled_from(["plain", "grouped", "number"]),
)


def cells(row, *, workbook):
    id_number, name, hukou, reason, ahead, fen, phone, style = row
    start = Month.of(AS_OF).add(ahead)
    if workbook and style == "number":
        wage: object = fen / 100  # as Excel stores a typed number: a float
        month: object = int(start)  # 202507 typed as a number
    else:
        wage = format_fen_grouped(fen) if style == "grouped" else format_fen(fen)
        month = str(start) if style == "grouped" else f"{int(start)}"
    return [id_number, name, hukou, reason, month, wage, phone]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=25, unique_by=lambda r: r[0]),
       st.booleans())
def test_valid_add_file_round_trips(data, workbook):
    table = [HEADERS["add"], *(cells(r, workbook=workbook) for r in data)]
    content = xlsx_bytes(table) if workbook else csv_bytes(table, encoding="gb18030")
    result = check(content)
    assert result.ok, result.errors
    assert result.rows == len(data)
    for record, row in zip(result.records, data, strict=True):
        id_number, name, hukou, reason, ahead, fen, phone, _ = row
        assert (record.id_number, record.name, record.hukou, record.reason) == (
            id_number, name, HUKOU[hukou], REASONS[reason])
        assert (record.start, record.wage, record.phone) == (
            Month.of(AS_OF).add(ahead), fen, phone)
