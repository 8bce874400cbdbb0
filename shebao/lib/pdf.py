"""PDF output: the one adapter importing reportlab.

Documents embed a CJK TrueType font (WenQuanYi Micro Hei from Debian's
fonts-wqy-microhei, which `make` installs), so a receipt prints the same anywhere. A
character the font lacks is an error, never a silent box.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from reportlab.lib.pagesizes import A4
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


def document_pdf(title: str, rows: Sequence[tuple[str, str]], *, subtitle: str = "",
                 footer: str = "") -> bytes:
    """An A4 page: a title, label–value rows (wrapped), a footer. Returns the PDF bytes."""
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
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


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
