"""Builders of batch files for the tests, and of the committed samples in data/.

Tests build most files here, so that each states exactly what it feeds in; openpyxl is
used directly (tests only) because some files need what our writer refuses to write:
formulas and merged cells.

    DJANGO_SETTINGS_MODULE=shebao.settings python -c "import django; django.setup(); \
      from shebao.declarations.tests.samples import write_samples; write_samples()"
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shebao.declarations.batchfiles.kinds import KINDS
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.spreadsheets import OLE_SIGNATURE

DATA = Path(__file__).resolve().parent / "data"
AS_OF = dt.date(2025, 7, 10)  # before the cut-off day: July declarations take effect in July

HEADERS = {code: [c.header for c in kind.columns] for code, kind in KINDS.items()}


def person_id(n: int, *, birth: dt.date = dt.date(1988, 3, 8), male: bool = True) -> str:
    """A valid 18-digit ID; n picks the sequence code (odd for men, even for women).

    Born on another day than shebao.tests.helpers' persons, so the two never collide.
    """
    serial = 2 * n + (1 if male else 2)
    return valid_id_number(birth, serial % 1000)


def given(n: int) -> str:
    """A given name from a number: 1 -> 一, 12 -> 一二."""
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))


def add_row(n: int, **change: Any) -> list[Any]:
    row = {"身份证号码": person_id(n), "姓名": f"张{given(n)}",
           "户口性质": "城镇", "增员原因": "新参保", "起始年月": "202507",
           "月缴费工资": "12000.00", "联系电话": "13800138000"}
    row.update(change)
    return list(row.values())


def remove_row(n: int, **change: Any) -> list[Any]:
    row = {"身份证号码": person_id(n), "姓名": f"李{given(n)}", "减员原因": "解除劳动合同",
           "终止年月": "202507"}
    row.update(change)
    return list(row.values())


def wage_row(n: int, **change: Any) -> list[Any]:
    row = {"身份证号码": person_id(n), "姓名": f"王{given(n)}", "月缴费工资": "9800.50"}
    row.update(change)
    return list(row.values())


def backpay_row(n: int, **change: Any) -> list[Any]:
    row = {"身份证号码": person_id(n), "姓名": f"赵{given(n)}", "起始年月": "202401",
           "终止年月": "202403", "月缴费工资": "8000", "补缴原因": "入职当月漏报"}
    row.update(change)
    return list(row.values())


def csv_bytes(rows: Iterable[Sequence[Any]], *, encoding: str = "utf-8",
              bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


def xlsx_bytes(rows: Iterable[Sequence[Any]], *, merged: Sequence[str] = (),
               title: str = "增员", extra_sheets: Sequence[str] = ()) -> bytes:
    """An .xlsx whose first sheet holds `rows`; a str starting with '=' is a formula."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for ref in merged:
        ws.merge_cells(ref)
    for name in extra_sheets:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ole_bytes(*streams: str) -> bytes:
    """An OLE2 compound file's header and directory entries naming `streams` (enough for
    content sniffing: real .xls and encrypted workbooks are OLE2 containers)."""
    header = OLE_SIGNATURE + bytes(512 - len(OLE_SIGNATURE))
    entries = b""
    for name in ("Root Entry", *streams):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entries += raw.ljust(64, b"\x00") + len(raw).to_bytes(2, "little") + bytes(62)
    return header + entries.ljust(512, b"\x00")


def zip_add(data: bytes, name: str, content: bytes) -> bytes:
    """`data` (a zip) with one more deflated entry."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, content)
    return buf.getvalue()


def xlsx_patch_sheet(data: bytes, patch: Callable[[bytes], bytes],
                     part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """`data` (an .xlsx) with the XML of one worksheet rewritten by `patch`, as a crafted
    file would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info.filename, patch(content) if info.filename == part else content)
    return out.getvalue()


def zip_patch_central(data: bytes, name: str, *, flags: int | None = None,
                      size: int | None = None) -> bytes:
    """Rewrite the general-purpose flags or the declared uncompressed size of one entry
    in the zip's central directory (a lying or 'encrypted' archive)."""
    raw = bytearray(data)
    key = name.encode()
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_len = int.from_bytes(raw[at + 28:at + 30], "little")
        if raw[at + 46:at + 46 + name_len] == key:
            if flags is not None:
                raw[at + 8:at + 10] = flags.to_bytes(2, "little")
            if size is not None:
                raw[at + 24:at + 28] = size.to_bytes(4, "little")
        at = raw.find(b"PK\x01\x02", at + 4)
    return bytes(raw)


def write_samples() -> None:
    """The committed samples: small, good and bad, one of each kind and encoding."""
    DATA.mkdir(exist_ok=True)
    good_add = [HEADERS["add"], *(add_row(n) for n in range(1, 6))]
    (DATA / "add_good_utf8_bom.csv").write_bytes(csv_bytes(good_add, bom=True))
    (DATA / "add_good_gbk.csv").write_bytes(csv_bytes(good_add, encoding="gbk"))
    (DATA / "add_good.xlsx").write_bytes(xlsx_bytes(good_add))
    bad_add = [HEADERS["add"],
               add_row(1, 身份证号码="110105198506150013"),  # check char
               add_row(2, 姓名="", 户口性质="农民"),
               add_row(3, 起始年月="2025-13", 月缴费工资="一万"),
               add_row(4, 联系电话="12345"),
               add_row(3)]  # the person of row 4 again
    (DATA / "add_bad.csv").write_bytes(csv_bytes(bad_add, bom=True))
    (DATA / "remove_good.csv").write_bytes(
        csv_bytes([HEADERS["remove"], *(remove_row(n) for n in range(1, 4))], bom=True))
    (DATA / "wage_good.csv").write_bytes(
        csv_bytes([HEADERS["wage"], *(wage_row(n) for n in range(1, 4))], bom=True))
    (DATA / "backpay_good.csv").write_bytes(
        csv_bytes([HEADERS["backpay"], backpay_row(1),
                   backpay_row(1, 起始年月="202405", 终止年月="202406"), backpay_row(2)], bom=True))
    (DATA / "backpay_bad.csv").write_bytes(
        csv_bytes([HEADERS["backpay"], backpay_row(1, 起始年月="200410"),
                   backpay_row(2, 起始年月="202403", 终止年月="202401"),
                   backpay_row(3, 终止年月="202507"), backpay_row(4, 补缴原因="")], bom=True))
    (DATA / "formula.xlsx").write_bytes(
        xlsx_bytes([HEADERS["wage"], wage_row(1, 月缴费工资="=8000*1.1")], title="缴费工资"))
    (DATA / "merged.xlsx").write_bytes(
        xlsx_bytes([HEADERS["wage"], wage_row(1), wage_row(2)], merged=["B2:B3"],
                   title="缴费工资"))
    (DATA / "old_format.xls").write_bytes(ole_bytes("Workbook", "\x05SummaryInformation"))
    (DATA / "encrypted.xlsx").write_bytes(
        ole_bytes("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"))
    (DATA / "zip_bomb.xlsx").write_bytes(
        zip_add(xlsx_bytes(good_add), "xl/media/padding.bin", bytes(8 * 1024 * 1024)))




def check(data: bytes, kind: str = "add", *, unit: Any = None, as_of: dt.date = AS_OF,
          filename: str = "upload.xlsx") -> Any:
    from shebao.declarations.batchfiles import batchfile_validate

    return batchfile_validate(data, filename, kind=kind, unit=unit, as_of=as_of)


def codes(result: Any) -> list[tuple[int | None, str, str]]:
    """(row, column, code) of every error, in order."""
    return [(e.row, e.column, e.code) for e in result.errors]


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()
