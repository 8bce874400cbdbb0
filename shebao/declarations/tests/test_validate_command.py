"""`shebao validate`: exact JSON shape and exit codes 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from shebao.declarations.tests.helpers import make_billed
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person, make_unit

from .samples import DATA, HEADERS, backpay_row, csv_bytes, remove_row

KEYS = ["ok", "kind", "rows", "errors"]
ERROR_KEYS = ["row", "column", "value", "code", "message"]


def run(capsys, *args):
    """(exit status, parsed stdout, stderr) of `shebao validate …`."""
    status: object = 0
    try:
        call_command("validate", *map(str, args))
    except SystemExit as exc:
        status = exc.code
    out, err = capsys.readouterr()
    return status, (json.loads(out) if out.strip() else None), err


def test_valid_file_exits_0(capsys):
    status, out, err = run(capsys, DATA / "add_good.xlsx", "--kind", "add",
                           "--as-of", "2025-07-10")
    assert status == 0
    assert out == {"ok": True, "kind": "add", "rows": 5, "errors": []}
    assert list(out) == KEYS
    assert err == ""


def test_file_with_errors_exits_1_and_lists_every_error(capsys):
    status, out, _ = run(capsys, DATA / "add_bad.csv", "--kind", "add", "--as-of", "2025-07-10")
    assert status == 1
    assert list(out) == KEYS
    assert (out["ok"], out["kind"], out["rows"]) == (False, "add", 5)
    assert len(out["errors"]) == 7
    first = out["errors"][0]
    assert list(first) == ERROR_KEYS
    assert first == {"row": 2, "column": "身份证号码", "value": "110105198506150013",
                     "code": "id_check", "message": "身份证号码校验位错误：应为 4，实为 3"}


def test_output_keeps_chinese_unescaped(capsys):
    with pytest.raises(SystemExit):
        call_command("validate", str(DATA / "add_bad.csv"), "--kind", "add",
                     "--as-of", "2025-07-10")
    out = capsys.readouterr().out
    assert "身份证号码" in out and "\\u" not in out


@pytest.mark.parametrize(("name", "code"), [
    ("old_format.xls", "xls_format"),
    ("encrypted.xlsx", "encrypted"),
    ("zip_bomb.xlsx", "zip_bomb"),
    ("missing.csv", "file_not_found"),
])
def test_unreadable_file_exits_2_with_the_file_error_in_json(capsys, name, code):
    status, out, _ = run(capsys, DATA / name, "--kind", "wage")
    assert status == 2
    assert out["ok"] is False and out["rows"] == 0
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(None, code)]


def test_file_refused_for_its_content_but_readable_exits_1(capsys):
    status, out, _ = run(capsys, DATA / "formula.xlsx", "--kind", "wage")
    assert status == 1
    assert out["errors"][0]["code"] == "formula"


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "transfer"], "参数 --kind 的取值“transfer”无效"),
    (["--kind", "add", "--as-of", "2025-02-30"], "--as-of"),
    ([], "缺少必填参数"),
])
def test_bad_arguments_exit_2_with_one_chinese_line(capsys, args, message):
    status, out, err = run(capsys, DATA / "add_good.xlsx", *args)
    assert status == 2
    assert out is None
    assert message in err and err.count("\n") == 1


@pytest.mark.django_db
def test_unknown_unit_exits_2(capsys):
    status, out, err = run(capsys, DATA / "add_good.xlsx", "--kind", "add", "--unit", "99999999")
    assert (status, out) == (2, None)
    assert err == "单位编号 99999999 不存在\n"


@pytest.mark.django_db
def test_unit_option_applies_the_registry_rules(capsys, tmp_path):
    unit = make_unit()
    person = make_person(name="李一")
    make_enrolment(person, unit, first=Month(2020, 1))
    path = tmp_path / "remove.csv"
    path.write_bytes(csv_bytes([HEADERS["remove"],
                                remove_row(1, 身份证号码=person.id_number, 姓名="李一"),
                                remove_row(2)]))
    status, out, _ = run(capsys, path, "--kind", "remove", "--unit", unit.number,
                         "--as-of", "2025-07-10")
    assert status == 1
    assert [(e["row"], e["code"]) for e in out["errors"]] == [(3, "person_unknown")]


@pytest.mark.django_db
def test_backpay_of_months_already_billed_to_the_unit_is_reported(capsys, tmp_path):
    """The issue's done-when check: month_already_billed at 起始年月."""
    unit = make_unit()
    person = make_person(name="赵一")
    make_enrolment(person, unit, first=Month(2020, 1))
    make_billed(person, unit, Month(2024, 1), Month(2024, 2), Month(2024, 3), kind="backpay",
                bill_month=Month(2024, 6))
    path = tmp_path / "backpay.csv"
    path.write_bytes(csv_bytes([HEADERS["backpay"],
                                backpay_row(1, 身份证号码=person.id_number, 姓名="赵一")]))
    status, out, _ = run(capsys, path, "--kind", "backpay", "--unit", unit.number,
                         "--as-of", "2025-07-10")
    assert status == 1
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in out["errors"]] == [
        (2, "起始年月", "202401", "month_already_billed")]
    assert out["errors"][0]["message"].startswith(
        "2024年01月至2024年03月 已核定缴费，不能重复补缴")


def test_console_script_exit_codes(tmp_path):
    """The real `shebao` entry point, in a process of its own (no database needed)."""
    env = {**os.environ, "SHEBAO_VAR_DIR": str(tmp_path)}
    statuses = []
    for name in ("add_good.xlsx", "add_bad.csv", "old_format.xls"):
        proc = subprocess.run(
            [sys.executable, "-m", "shebao.cli", "validate", str(DATA / name), "--kind", "add",
             "--as-of", "2025-07-10"], capture_output=True, text=True, env=env, check=False)
        statuses.append(proc.returncode)
        assert list(json.loads(proc.stdout)) == KEYS
    assert statuses == [0, 1, 2]
