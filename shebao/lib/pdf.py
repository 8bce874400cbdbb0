"""PDF output: the one adapter importing reportlab.

Documents embed a CJK TrueType font (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, which `make` installs), so a receipt prints the same anywhere. A
character the font lacks is an error, never a silent box.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT_NAME = "ShebaoCJK"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


class PdfFontMissing(RuntimeError):
    """No CJK font: PDFs would show boxes instead of Chinese."""


@lru_cache(maxsize=1)
def _font() -> TTFont:
    configured = os.environ.get("SHEBAO_PDF_FONT")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            font = TTFont(FONT_NAME, candidate, subfontIndex=0)
            pdfmetrics.registerFont(font)
            return font
    raise PdfFontMissing(
        "没有可用的中文字体，无法生成PDF：请安装 fonts-wqy-microhei（apt-get install "
        "fonts-wqy-microhei）或设置 SHEBAO_PDF_FONT")


def _check_glyphs(font: TTFont, texts: Sequence[str]) -> None:
    cmap = font.face.charToGlyph
    missing = sorted({ch for text in texts for ch in text if ord(ch) > 32 and ord(ch) not in cmap})
    if missing:
        raise PdfFontMissing(f"字体缺少以下字符，无法生成PDF：{''.join(missing)}")


@dataclass(frozen=True)
class Table:
    """A table after the label–value rows: a heading, column headers, and rows read one
    at a time (an iterator over a large declaration is never held whole). Its column
    widths follow the headers, the first SAMPLE_ROWS rows and `widest` (cells known to
    come later, such as the last line number); longer cells wrap."""

    heading: str
    headers: Sequence[str]
    rows: Iterable[Sequence[str]]
    widest: Sequence[str] = ()


SAMPLE_ROWS = 50
_TABLE_SIZE = 8.0
_TABLE_LEADING = 3.6 * mm
_CELL_PAD = 1 * mm


def document_pdf(title: str, rows: Sequence[tuple[str, str]], *, subtitle: str = "",
                 footer: str = "", table: Table | None = None) -> bytes:
    """An A4 page: a title, label–value rows (wrapped), a footer. Returns the PDF bytes.
    With a table, pages follow as long as it has rows (its headers repeated on each
    page, each page numbered); its rows are drawn as they are read."""
    font = _font()
    _check_glyphs(font, [title, subtitle, footer, *[t for row in rows for t in row]])
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    width, height = A4
    y = height - 30 * mm
    pdf.setFont(FONT_NAME, 18)
    pdf.drawCentredString(width / 2, y, title)
    if subtitle:
        y -= 9 * mm
        pdf.setFont(FONT_NAME, 10.5)
        pdf.drawCentredString(width / 2, y, subtitle)
    y -= 12 * mm
    left, label_width, right = 25 * mm, 38 * mm, width - 25 * mm
    pdf.setLineWidth(0.6)
    for label, value in rows:
        lines = _wrap(value, FONT_NAME, 11, right - left - label_width - 4 * mm) or [""]
        block = 7 * mm * len(lines)
        if y - block < 30 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.line(left, y + 5 * mm, right, y + 5 * mm)
        pdf.setFont(FONT_NAME, 11)
        pdf.drawString(left + 2 * mm, y, label)
        for i, line in enumerate(lines):
            pdf.drawString(left + label_width, y - i * 7 * mm, line)
        y -= block
    pdf.line(left, y + 5 * mm, right, y + 5 * mm)
    if footer:
        pdf.setFont(FONT_NAME, 9)
        for i, line in enumerate(_wrap(footer, FONT_NAME, 9, right - left)):
            pdf.drawString(left, 20 * mm - i * 5 * mm, line)
    if table is not None:
        _draw_table(pdf, font, table, y - 4 * mm)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_table(pdf: canvas.Canvas, font: TTFont, table: Table, top: float, *,
                size: tuple[float, float] = A4, page_mark: PageMark | None = None) -> None:
    """The table from `top` down, over as many pages as its rows need. `page_mark`
    draws each page's footer (by default: the heading and the page number)."""
    width, height = size
    left, right, bottom = 15 * mm, width - 15 * mm, 26 * mm  # above the footer
    _check_glyphs(font, [table.heading, *table.headers])
    rows = iter(table.rows)
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    widths = _column_widths(table.headers, [*sample, table.widest], right - left)
    page = 1

    def new_page() -> float:
        nonlocal page
        pdf.showPage()
        page += 1
        return height - 20 * mm

    def page_number() -> None:
        if page_mark is not None:
            page_mark(pdf, page)
            return
        pdf.setFont(FONT_NAME, 8)
        pdf.drawCentredString(width / 2, 10 * mm, f"{table.heading} 第 {page} 页")

    if top - 12 * mm - 3 * _TABLE_LEADING < bottom:
        top = new_page()
    if table.heading:
        pdf.setFont(FONT_NAME, 12)
        pdf.drawString(left, top, table.heading)
        top -= 4 * mm
    y = _draw_row(pdf, table.headers, widths, left, top, header=True)
    for row in itertools.chain(sample, rows):
        cells = [str(c) for c in row]
        _check_glyphs(font, cells)
        wrapped = [_wrap(c, FONT_NAME, _TABLE_SIZE, w - 2 * _CELL_PAD) for c, w in
                   zip(cells, widths, strict=True)]
        if y - _row_height(wrapped) < bottom:
            page_number()
            y = _draw_row(pdf, table.headers, widths, left, new_page(), header=True)
        y = _draw_row(pdf, cells, widths, left, y, wrapped=wrapped)
    page_number()


PageMark = Callable[[canvas.Canvas, int], None]


def report_pdf(title: str, header: Sequence[tuple[str, str]], table: Table, *,
               wide: bool = False, note: str = "") -> bytes:
    """A printed report (报表打印): A4, landscape when `wide`; the title, header lines
    (unit, period, print time …) in two columns, the table (headers repeated on each
    page, rows drawn as they are read) and a note under it; each page's foot says
    "第 n 页 共 m 页" (m written once at the end, into a form every page refers to)."""
    font = _font()
    texts = [title, note, *[t for pair in header for t in pair]]
    _check_glyphs(font, texts)
    size = landscape(A4) if wide else A4
    width, height = size
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    pdf.setTitle(title)
    y = height - 18 * mm
    pdf.setFont(FONT_NAME, 16)
    pdf.drawCentredString(width / 2, y, title)
    y -= 9 * mm
    pdf.setFont(FONT_NAME, 9)
    column = (width - 30 * mm) / 2
    for i, (label, value) in enumerate(header):
        x = 15 * mm + (i % 2) * column
        pdf.drawString(x, y, f"{label}：{value}")
        if i % 2 == 1 or i == len(header) - 1:
            y -= 5 * mm
    pages = 0

    def page_mark(pdf: canvas.Canvas, page: int) -> None:
        nonlocal pages
        pages = page
        text = f"{title}    第 {page} 页 共"
        pdf.setFont(FONT_NAME, 8)
        x = width / 2 - pdfmetrics.stringWidth(text + " 00 页", FONT_NAME, 8) / 2
        pdf.drawString(x, 10 * mm, text)
        pdf.saveState()
        pdf.translate(x + pdfmetrics.stringWidth(text + " ", FONT_NAME, 8), 10 * mm)
        pdf.doForm("page_total")
        pdf.restoreState()

    _draw_table(pdf, font, table, y - 2 * mm, size=size, page_mark=page_mark)
    if note:
        pdf.setFont(FONT_NAME, 8)
        pdf.drawString(15 * mm, 16 * mm, note)
    pdf.showPage()
    pdf.beginForm("page_total")
    pdf.setFont(FONT_NAME, 8)
    pdf.drawString(0, 0, f"{pages} 页")
    pdf.endForm()
    pdf.save()
    return buffer.getvalue()


def _column_widths(headers: Sequence[str], sample: list[Sequence[str]],
                   total: float) -> list[float]:
    """Each column as wide as its widest header or sampled cell. When they do not fit,
    only the widest are narrowed (to one common cap) and wrap; spare room is shared."""
    natural = [max([pdfmetrics.stringWidth(str(h), FONT_NAME, _TABLE_SIZE)]
                   + [pdfmetrics.stringWidth(str(r[i]), FONT_NAME, _TABLE_SIZE)
                      for r in sample if i < len(r)]) + 2 * _CELL_PAD + 1
               for i, h in enumerate(headers)]
    if sum(natural) <= total:
        spare = (total - sum(natural)) / len(natural)
        return [w + spare for w in natural]
    narrow, rest = 0.0, sorted(natural)
    while rest and rest[0] <= (total - narrow) / len(rest):
        narrow += rest.pop(0)
    cap = (total - narrow) / len(rest)
    return [min(w, cap) for w in natural]


def _row_height(wrapped: list[list[str]]) -> float:
    return max(len(lines) for lines in wrapped) * _TABLE_LEADING + 1.2 * mm


def _draw_row(pdf: canvas.Canvas, cells: Sequence[str], widths: list[float], left: float,
              top: float, *, header: bool = False,
              wrapped: list[list[str]] | None = None) -> float:
    """One row of boxed cells from `top` down; returns the bottom of the row."""
    wrapped = wrapped or [_wrap(str(c), FONT_NAME, _TABLE_SIZE, w - 2 * _CELL_PAD)
                          for c, w in zip(cells, widths, strict=True)]
    row_height = _row_height(wrapped)
    bottom = top - row_height
    if header:
        pdf.setFillGray(0.92)
        pdf.rect(left, bottom, sum(widths), row_height, stroke=0, fill=1)
        pdf.setFillGray(0)
    pdf.setLineWidth(0.4)
    pdf.setFont(FONT_NAME, _TABLE_SIZE)
    x = left
    for lines, w in zip(wrapped, widths, strict=True):
        pdf.rect(x, bottom, w, row_height, stroke=1, fill=0)
        for i, line in enumerate(lines):
            pdf.drawString(x + _CELL_PAD, top - (i + 1) * _TABLE_LEADING + 0.4 * mm, line)
        x += w
    return bottom


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width` (character-wise: Chinese has no spaces)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        current = ""
        for ch in paragraph:
            if pdfmetrics.stringWidth(current + ch, font, size) > width and current:
                lines.append(current)
                current = ch
            else:
                current += ch
        lines.append(current)
    return lines


# --- verifiable documents (证明): a header on every page, 第 n 页 共 m 页, a QR code ------


@dataclass(frozen=True)
class Section:
    """One part of a verifiable document: label–value rows, or a table of columns."""

    heading: str
    rows: Sequence[Sequence[str]]
    headers: Sequence[str] = ()  # a table when given


@dataclass(frozen=True)
class Verifiable:
    """A document a third party checks online: `header` (label, value) pairs are printed
    at the top of every page, `codes` (校验码, 查询流水号 …) in a box with a QR code of
    `check_url` on the first page."""

    title: str
    subtitle: str
    header: Sequence[tuple[str, str]]
    codes: Sequence[tuple[str, str]]
    sections: Sequence[Section]
    footer: str
    check_url: str


class _NumberedCanvas(canvas.Canvas):
    """Keeps each page until the end so that every page can say 第 n 页 共 m 页."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._pages: list[dict[str, object]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            width, _ = A4
            self.setFont(FONT_NAME, 8)
            self.drawCentredString(width / 2, 10 * mm, f"第 {number} 页 共 {total} 页")
            super().showPage()
        super().save()


def verifiable_pdf(doc: Verifiable) -> bytes:
    """An A4 portrait document: the header on each page, the codes and the QR code on
    the first, then each section (label–value rows or a boxed table), numbered pages."""
    font = _font()
    texts = [doc.title, doc.subtitle, doc.footer, *[t for pair in doc.header for t in pair],
             *[t for pair in doc.codes for t in pair]]
    for section in doc.sections:
        texts += [section.heading, *section.headers, *[str(c) for r in section.rows for c in r]]
    _check_glyphs(font, texts)
    buffer = io.BytesIO()
    pdf = _NumberedCanvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(doc.title)
    width, height = A4
    left, right, bottom = 20 * mm, width - 20 * mm, 26 * mm

    def page_header() -> float:
        pdf.setFont(FONT_NAME, 8)
        pdf.drawString(left, height - 12 * mm, "　".join(f"{k}：{v}" for k, v in doc.header))
        pdf.setLineWidth(0.4)
        pdf.line(left, height - 14 * mm, right, height - 14 * mm)
        return height - 22 * mm

    y = page_header() - 6 * mm
    pdf.setFont(FONT_NAME, 18)
    pdf.drawCentredString(width / 2, y, doc.title)
    y -= 8 * mm
    pdf.setFont(FONT_NAME, 10.5)
    pdf.drawCentredString(width / 2, y, doc.subtitle)
    y = _draw_codes(pdf, doc, left, right, y - 6 * mm)
    for section in doc.sections:
        widths = (_column_widths(section.headers, list(section.rows), right - left)
                  if section.headers else [38 * mm, right - left - 38 * mm])
        if y - 14 * mm < bottom:
            pdf.showPage()
            y = page_header()
        pdf.setFont(FONT_NAME, 12)
        pdf.drawString(left, y - 5 * mm, section.heading)
        y -= 8 * mm
        if section.headers:
            y = _draw_row(pdf, section.headers, widths, left, y, header=True)
        for row in section.rows:
            cells = [str(c) for c in row]
            wrapped = [_wrap(c, FONT_NAME, _TABLE_SIZE, w - 2 * _CELL_PAD)
                       for c, w in zip(cells, widths, strict=True)]
            if y - _row_height(wrapped) < bottom:
                pdf.showPage()
                y = page_header()
                if section.headers:
                    y = _draw_row(pdf, section.headers, widths, left, y, header=True)
            y = _draw_row(pdf, cells, widths, left, y, wrapped=wrapped)
        y -= 4 * mm
    pdf.setFont(FONT_NAME, 9)
    lines = _wrap(doc.footer, FONT_NAME, 9, right - left)
    if y - 5 * mm * len(lines) < bottom:
        pdf.showPage()
        y = page_header()
    for i, line in enumerate(lines):
        pdf.drawString(left, y - 4 * mm - i * 5 * mm, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_codes(pdf: canvas.Canvas, doc: Verifiable, left: float, right: float,
                top: float) -> float:
    """The codes beside a QR code of the check page; returns the bottom of the box."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    side = 28 * mm
    widget = QrCodeWidget(doc.check_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, right - side, top - side)
    pdf.setFont(FONT_NAME, 10)
    for i, (label, value) in enumerate(doc.codes):
        pdf.drawString(left, top - 6 * mm - i * 7 * mm, f"{label}：{value}")
    pdf.setFont(FONT_NAME, 7.5)
    pdf.drawRightString(right - side - 2 * mm, top - side + 2 * mm, "扫码核验")
    return top - side - 4 * mm
