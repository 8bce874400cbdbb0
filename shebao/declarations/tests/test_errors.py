"""The error catalogue: the rarer file errors, and every code covered by some test."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from shebao.declarations.batchfiles.errors import FILE_CODES, ROW_CODES, WARNING_CODES
from shebao.tests.helpers import make_unit

from .samples import DATA, HEADERS, check, codes, csv_bytes, wage_row, xlsx_bytes

TESTS = Path(__file__).resolve().parent


def _replace_part(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    parts[name] = content
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for part, body in parts.items():
            dst.writestr(part, body)
    return out.getvalue()


@pytest.mark.parametrize(("part", "content"), [
    ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row><c r='A1'"),
    ("xl/workbook.xml", b"<workbook><sheets>"),
])
def test_corrupt_workbook_is_refused(part, content):
    result = check(_replace_part(xlsx_bytes([HEADERS["wage"], wage_row(1)]), part, content))
    assert codes(result) == [(None, "", "corrupt_file")]
    assert not result.readable


@pytest.mark.django_db
def test_wage_file_outside_any_policy_year_is_refused():
    data = csv_bytes([HEADERS["wage"], wage_row(1)])
    result = check(data, "wage", unit=make_unit(), as_of=dt.date(2090, 1, 10))
    assert (None, "", "policy_year_unknown") in codes(result)
    assert result.readable


def test_unreadable_file_exits_2(capsys, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "权限不足")

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(SystemExit) as exc:
        call_command("validate", str(DATA / "add_good.xlsx"), "--kind", "add")
    assert exc.value.code == 2
    out = json.loads(capsys.readouterr().out)
    assert out["errors"][0]["code"] == "file_unreadable"


def test_every_code_in_the_catalogue_is_exercised_by_a_test():
    sources = "".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py")
                      if p.name != "test_errors.py")
    sources += Path(__file__).read_text(encoding="utf-8").split("def test_every_code")[0]
    missing = [c for c in (*FILE_CODES, *ROW_CODES, *WARNING_CODES) if f'"{c}"' not in sources]
    assert missing == []
