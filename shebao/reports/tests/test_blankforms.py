"""Printable blank forms: listed on 表样下载, built from the change items themselves."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.test import Client

from shebao.declarations.changes import PERSON_ITEMS, UNIT_ITEMS
from shebao.reports.blankforms import PAPER_FORMS

pytestmark = pytest.mark.django_db


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")


def test_the_forms_page_lists_every_blank_form(client: Client) -> None:
    html = client.get("/unit/forms/").content.decode()
    for form in PAPER_FORMS:
        assert form.title in html and f"/unit/forms/paper/{form.slug}.pdf" in html
    for kind in ("add", "remove", "wage", "backpay"):
        assert f"/unit/forms/{kind}.xlsx" in html


@pytest.mark.parametrize(("slug", "items"), [("unit-change", UNIT_ITEMS),
                                            ("person-change", PERSON_ITEMS)])
def test_change_forms_list_the_items_the_web_form_takes(client: Client, tmp_path: Path,
                                                         slug: str, items: tuple) -> None:
    response = client.get(f"/unit/forms/paper/{slug}.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content, tmp_path)
    for item in items:
        assert item.label in text
    assert "经办机构审核" in text and "即时生效" in text


def test_application_form_names_what_to_bring(client: Client, tmp_path: Path) -> None:
    text = _text(client.get("/unit/forms/paper/application.pdf").content, tmp_path)
    assert "北京市社会保险网上申报业务申请表" in text and "一式两份" in text
