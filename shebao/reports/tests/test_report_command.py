"""`shebao report KIND --unit … --format …`: the queries on the command line."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from shebao.lib.spreadsheets import xlsx_read
from shebao.tests.helpers import make_unit

from .helpers import staff_of

pytestmark = pytest.mark.django_db


def test_bases_as_json_for_the_policy_year_of_the_months(capsys):
    unit = make_unit()
    staff_of(unit)
    staff_of(make_unit(), prefix="外")
    call_command("report", "bases", "--unit", unit.number, "--from", "202408",
                 "--to", "202503", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["unit"] == unit.number and data["filters"]["year"] == 2024
    assert [r["name"] for r in data["rows"]] == ["王现职", "赵新人"]
    assert data["rows"][1]["wage"] == "3000.00" and data["totals"]["wage"] == "53000.00"


def test_people_as_csv_with_the_status_of_the_month_to(capsys):
    unit = make_unit()
    staff = staff_of(unit)
    call_command("report", "people", "--unit", unit.number, "--to", "202305",
                 "--person", staff.former.id_number, "--format", "csv")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("姓名,公民身份号码")
    assert lines[1].startswith(f"李离职,{staff.former.id_number},男,城镇,在职,2010-01")


def test_xlsx_and_pdf_files_are_written_to_out(tmp_path):
    unit = make_unit()
    staff_of(unit)
    book, printed = tmp_path / "a.xlsx", tmp_path / "a.pdf"
    call_command("report", "account1992", "--unit", unit.number, "--format", "xlsx",
                 "--out", str(book))
    call_command("report", "people", "--unit", unit.number, "--format", "pdf",
                 "--out", str(printed))
    rows = xlsx_read(book.read_bytes()).rows
    assert rows[1][:2][0] == "李离职" and rows[-1][0] == "合计"
    assert printed.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(("args", "message"), [
    (["nosuch", "--unit", "X"], "查询类型“nosuch”无效"),
    (["transcript", "--unit", "X"], "查询“transcript”（缴费情况过录表）尚未开放"),
    (["people", "--unit", "99999999"], "单位编号 99999999 不存在"),
    (["bases", "--unit", "{unit}", "--from", "202513"], "--from：“202513”不是有效的年月"),
    (["bases", "--unit", "{unit}", "--from", "202401", "--to", "202408"], "须在同一缴费年度内"),
    (["account1992", "--unit", "{unit}", "--to", "202408"], "不按年月查询"),
    (["people", "--unit", "{unit}", "--format", "doc"], "参数 --format 的取值“doc”无效"),
])
def test_bad_arguments_exit_2_with_one_chinese_line(args, message, capsys):
    unit = make_unit()
    args = [a.format(unit=unit.number) for a in args]
    if "--format" not in args:
        args += ["--format", "json"]
    with pytest.raises(SystemExit) as exc:
        call_command("report", *args)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
