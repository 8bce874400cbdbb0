"""The shipped policy file: the project's copy of ../shared/data, in the loader's format."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shebao.policy.loader import COLUMNS, DATA_DIR, POLICY_CSV, PolicyFileError, read_policy_csv

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SHIPPED_FROM_SHARED = ["beijing_policy.csv", "beijing_policy_sources.csv",
                       "beijing_policy_research.md", "policy_documents.md"]
needs_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"no shared data directory beside the checkout ({SHARED_DATA}): nothing to compare",
)


@needs_shared
@pytest.mark.parametrize("name", SHIPPED_FROM_SHARED)
def test_the_project_ships_the_shared_file_unchanged(name: str) -> None:
    assert (DATA_DIR / name).read_bytes() == (SHARED_DATA / name).read_bytes(), (
        f"shebao/policy/data/{name} differs from {SHARED_DATA / name}: copy it, then run "
        "`shebao policy load` wherever it is deployed")


@needs_shared
def test_the_loader_reads_the_shared_file_as_it_is() -> None:
    rows = read_policy_csv(SHARED_DATA / "beijing_policy.csv")
    assert rows == read_policy_csv(POLICY_CSV)


def test_the_shipped_header_is_the_loaders_format() -> None:
    with POLICY_CSV.open(encoding="utf-8", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == COLUMNS
    rows = read_policy_csv()
    assert len(rows) == 327
    assert {r["document"] for r in rows} > {""}
    assert all(r["note_zh"] or not r["note"] for r in rows), "note_zh where a note exists"


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "policy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ROW = ("late_fee_daily,all,employer,,0.05,percent_per_day,2011-07,,high,src,"
       "note,《中华人民共和国社会保险法》,说明")


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (",".join(COLUMNS[:-2]), ROW.rsplit(",", 2)[0]),  # the former format, no new columns
        (",".join(COLUMNS[:-1]), ROW.rsplit(",", 1)[0]),  # note_zh missing
        (",".join((*COLUMNS, "extra")), ROW + ",x"),  # a column the loader does not know
    ],
)
def test_a_file_in_another_format_is_refused_whole(tmp_path: Path, header: str,
                                                   row: str) -> None:
    with pytest.raises(PolicyFileError) as excinfo:
        read_policy_csv(_write(tmp_path, [header, row]))
    assert str(excinfo.value).startswith("政策参数文件 policy.csv 的表头应为“key,insurance,")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW.replace("2011-07", "2011-13"), "第 2 行：“2011-13”不是有效的年月"),
        (ROW + ",x", "第 2 行应有 13 列，实际为 14 列"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(PolicyFileError, match=message):
        read_policy_csv(_write(tmp_path, [",".join(COLUMNS), row]))


def test_a_repeated_row_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="第 3 行与前面的行重复"):
        read_policy_csv(_write(tmp_path, [",".join(COLUMNS), ROW, ROW]))


def test_document_and_chinese_note_are_read() -> None:
    rows = read_policy_csv()
    fee = next(r for r in rows if r["key"] == "late_fee_daily" and r["first_month"] == 201107)
    assert fee["document"] == "《中华人民共和国社会保险法》（主席令第35号）第八十六条"
    rate = next(r for r in rows if (r["key"], r["insurance"], r["party"], r["first_month"])
                == ("rate", "unemployment", "employer", 200901))
    assert rate["note"].startswith("from 2009-01-01 per the notice")
    assert rate["note_zh"] == "自2009年1月1日起执行（京劳社保发〔2008〕237号）"
