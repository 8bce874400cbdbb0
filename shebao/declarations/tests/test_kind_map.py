"""The one map of kind codes: docs/glossary.md's table is the code's KINDS."""

from __future__ import annotations

import re
from pathlib import Path

from shebao.api.declaration_schemas import KIND_CODES, RowsIn
from shebao.declarations.batchfiles.kinds import KIND_OF_DECLARATION, KIND_OF_RECORD, KINDS
from shebao.declarations.models import CHANGE_KINDS, DeclarationKind

GLOSSARY = Path(__file__).resolve().parents[3] / "docs" / "glossary.md"


def glossary_rows() -> dict[str, tuple[str, str]]:
    """declaration kind → (file code, record class) from the glossary's kind table."""
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"`[a-z_]+`", cells[1]):
            rows[cells[1].strip("`")] = (cells[2].split()[0].strip("`"), cells[3].strip("`"))
    return rows


def test_glossary_table_is_the_code_map() -> None:
    rows = glossary_rows()
    assert set(rows) == set(DeclarationKind.values)
    for kind in DeclarationKind:
        code, record = rows[kind.value]
        if kind in CHANGE_KINDS:
            assert code == "—" and kind not in KIND_OF_DECLARATION
        else:
            file_kind = KIND_OF_DECLARATION[kind]
            assert (file_kind.code, file_kind.record.__name__) == (code, record)


def test_maps_read_one_table_both_ways() -> None:
    for code, file_kind in KINDS.items():
        assert file_kind.code == code
        assert KIND_OF_RECORD[file_kind.record] is file_kind
        assert KIND_OF_DECLARATION[file_kind.declaration] is file_kind
    assert len(KIND_OF_DECLARATION) == len(KINDS) == len(KIND_OF_RECORD)


def test_api_accepts_exactly_the_file_codes() -> None:
    assert tuple(KINDS) == KIND_CODES
    schema = RowsIn.model_json_schema()
    assert tuple(schema["properties"]["kind"]["enum"]) == KIND_CODES
