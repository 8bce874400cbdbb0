"""How far a worksheet reaches, found before a reader builds it.

calamine, like most readers, builds a worksheet as a dense rectangle from A1 to its
furthest cell: one cell at Z1000000 in an otherwise tiny upload makes 26 million cells
and holds a worker for seconds (one such upload took 16.7 s). Two checks find the
extent first, without parsing the sheet:

1. `declared_extent`: the <dimension ref="A1:Z1000000"/> that writers put near the top
   of the sheet's XML (Excel's used range), read from the first bytes of the part;
2. `ExtentScan`: while the part is streamed anyway (size and CRC check), the rows and
   cell references it holds, for a file whose dimension is missing or lies. A row is
   where readers put it: at r="n" when given, else one past the previous row; a cell at
   its reference. Only references that could pass a limit are looked at (wide columns,
   long row numbers), so an ordinary sheet costs one regular-expression pass.

Cells written without a reference (no writer in use does) are placed by readers one
after the other; their count per row is not bounded here beyond the zip's size caps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHEET_COLUMNS = 16_384  # XFD, a worksheet's last column
SHEET_ROWS = 1_048_576
DIMENSION_HEAD = 64 * 1024  # the dimension comes right after the sheet properties

_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref="([^"]{0,40})"')
_CORNER = re.compile(r"\$?([A-Z]{0,3})\$?([0-9]{0,9})")
# Both start with a literal, which the regular-expression engine finds fast; whether the
# match is a tag (<row, <x:row, not </row) or an attribute (r="…" after a space) is
# checked on the match. A namespace prefix (<x:row>) is allowed, as readers allow it.
_ROW = re.compile(rb'row(?=[\s/>])(?:\s[^>]*?\br="([0-9]{1,9})")?[^>]*?(/?)>')
_SPACE = frozenset(b" \t\r\n")


@dataclass(frozen=True)
class Extent:
    """The bottom-right corner a sheet reaches (1-based) and where it was seen."""

    rows: int
    cols: int
    where: str  # "A1:Z1000000" (declared), "Z1000000" (a cell), "第 1,000,000 行"

    def exceeds(self, max_rows: int | None, max_cols: int | None) -> bool:
        return (max_rows is not None and self.rows > max_rows) or (
            max_cols is not None and self.cols > max_cols)


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def column_name(number: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def declared_extent(head: bytes) -> Extent | None:
    """The extent the sheet's <dimension> declares, from the first bytes of the part;
    None when there is none (a whole-column or whole-row range reaches the sheet's end)."""
    found = _DIMENSION.search(head)
    if found is None:
        return None
    ref = found.group(1).decode("ascii", "replace")
    corner = _CORNER.fullmatch(ref.rsplit(":", 1)[-1])
    if corner is None:
        return None
    letters, digits = corner.groups()
    return Extent(int(digits) if digits else SHEET_ROWS,
                  column_number(letters) if letters else SHEET_COLUMNS, ref)


class ExtentScan:
    """Follows a worksheet's XML, fed in parts that end at a row end, and stops at the
    first row or cell beyond the limits (`beyond`)."""

    def __init__(self, max_rows: int | None, max_cols: int | None) -> None:
        self.max_rows = max_rows
        self.max_cols = max_cols
        self.row = 0  # the last row placed
        self.beyond: Extent | None = None
        # A reference can pass a limit only with as many column letters, or row digits,
        # as the first column or row beyond it: only those are looked at.
        wide: list[bytes] = []
        if max_cols is not None:
            wide.append(rb"[A-Z]{%d,3}[0-9]" % len(column_name(max_cols + 1)))
        if max_rows is not None:
            wide.append(rb"[A-Z]{1,3}[0-9]{%d}" % len(str(max_rows + 1)))
        self._cell = re.compile(rb'r="(?=' + b"|".join(wide) + rb')([A-Z]{1,3})([0-9]{1,9})"'
                                ) if wide else None

    def scan(self, part: bytes) -> Extent | None:
        if self.beyond is None:
            self.beyond = self._rows(part) or self._cells(part)
        return self.beyond

    def _rows(self, part: bytes) -> Extent | None:
        for tag in _ROW.finditer(part):
            if not _opening_tag(part, tag.start()):
                continue
            self.row = int(tag.group(1)) if tag.group(1) else self.row + 1
            # An empty row (<row r="9" ht="20"/>, a row height) places no cell.
            if not tag.group(2) and self.max_rows is not None and self.row > self.max_rows:
                return Extent(self.row, 1, f"第 {self.row:,} 行")
        return None

    def _cells(self, part: bytes) -> Extent | None:
        if self._cell is None:
            return None
        for ref in self._cell.finditer(part):
            if ref.start() == 0 or part[ref.start() - 1] not in _SPACE:
                continue  # not the attribute r (…er="A1" of another one)
            letters, digits = ref.group(1).decode(), ref.group(2).decode()
            extent = Extent(int(digits), column_number(letters), letters + digits)
            if extent.exceeds(self.max_rows, self.max_cols):
                return extent
        return None


def _opening_tag(part: bytes, at: int) -> bool:
    """Whether the name at `at` opens a tag: <row, or <x:row (prefixed), not </row."""
    before = part[at - 1:at]
    if before == b"<":
        return True
    if before != b":":
        return False
    start = part.rfind(b"<", 0, at)
    return start != -1 and part[start + 1:start + 2] != b"/" and re.fullmatch(
        rb"[A-Za-z_][\w.-]*", part[start + 1:at - 1]) is not None
