"""PDF adapter: Chinese text with an embedded font, refusal instead of boxes."""

from __future__ import annotations

import re

import pytest

from shebao.lib import pdf


def test_document_embeds_the_cjk_font_and_has_the_title():
    data = pdf.document_pdf("社会保险网上申报回执", [("回执号", "20250910ABCDEFGH"),
                                                ("单位名称", "北京演示科技有限公司" * 6)],
                             subtitle="北京市社会保险基金管理中心", footer="可在网上验证。")
    assert data.startswith(b"%PDF-")
    assert b"/FontFile2" in data  # the TrueType font is embedded (subset)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", data)  # a subset of it, as PDF/A wants


def test_a_character_the_font_lacks_is_refused():
    with pytest.raises(pdf.PdfFontMissing, match="字体缺少"):
        pdf.document_pdf("回执", [("x", "\U0001F600")])


def test_missing_font_gives_a_chinese_instruction(monkeypatch):
    pdf._font.cache_clear()
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ("/nonexistent.ttc",))
    monkeypatch.delenv("SHEBAO_PDF_FONT", raising=False)
    try:
        with pytest.raises(pdf.PdfFontMissing, match="fonts-wqy-microhei"):
            pdf.document_pdf("回执", [])
    finally:
        pdf._font.cache_clear()


def test_a_long_table_runs_over_pages_with_its_headers_on_each(tmp_path):
    """3,000 rows read one at a time: every row is in the text, the headers and the page
    number on every page."""
    import subprocess

    def rows():
        for i in range(1, 3001):
            yield [str(i), f"11010519850615{i:04d}", f"张{i}", f"{i * 100:,}.00"]

    data = pdf.document_pdf("回执", [("回执号", "X")], footer="可在网上验证。",
                            table=pdf.Table("申报明细（共 3000 行）",
                                            ["行号", "公民身份号码", "姓名", "金额（元）"], rows()))
    path = tmp_path / "long.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 20
    assert all("公民身份号码" in page for page in pages)
    assert all(f"第 {n} 页" in page for n, page in enumerate(pages, 1))
    assert "110105198506153000" in pages[-1] and "300,000.00" in pages[-1]
    assert text.count("张") == 3000


def test_verifiable_document_numbers_every_page_of_all_and_repeats_the_header(tmp_path):
    import subprocess

    rows = [[f"第{i}行", "内容" * 3] for i in range(120)]
    data = pdf.verifiable_pdf(pdf.Verifiable(
        title="单位缴费明细", subtitle="北京市社会保险基金管理中心",
        header=[("单位", "北京演示科技有限公司（10000001）"), ("统计期", "2025年01月至2025年12月")],
        codes=[("校验码", "ABCDEFGHJKLMNPQR"), ("查询流水号", "20260101ABCDEFGH")],
        sections=[pdf.Section("一、明细", rows, ["月份", "金额"])], footer="可在网上核验。",
        check_url="https://example.invalid/verify/document/?serial=20260101ABCDEFGH"))
    path = tmp_path / "v.pdf"
    path.write_bytes(data)
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.replace(" ", "").split("\f")[:-1]
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in text
        assert "统计期：2025年01月至2025年12月" in text
    assert "查询流水号：20260101ABCDEFGH" in pages[0]


def test_report_numbers_every_page_of_all_and_turns_wide_tables_landscape(tmp_path):
    import subprocess

    rows = ([f"张{i}", f"{i:,}.00"] for i in range(300))
    data = pdf.report_pdf("员工缴费基数", [("单位名称", "北京演示科技有限公司"),
                                       ("打印时间", "2025-03-10 09:30:00")],
                          pdf.Table("", ["姓名", "基数"], rows), wide=True, note="共 300 条")
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in data
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.count("\f")
    assert pages > 3
    assert f"第 1 页 共 {pages} 页" in text and f"第 {pages} 页 共 {pages} 页" in text
    assert "北京演示科技有限公司" in text and "张299" in text
