"""操作指南: every screenshot a guide names is taken by a browser test and kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from shebao.reports.guide import GUIDE_DIR, JOURNEYS, guide_shots

SHEBAO = Path(__file__).resolve().parents[2]
TAKEN = re.compile(r"""screenshot\(\s*page,\s*["']([\w-]+)["']""")


def _taken_by_browser_tests() -> set[str]:
    names: set[str] = set()
    for path in SHEBAO.glob("*/tests/test_*.py"):
        names |= set(TAKEN.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_guide_screenshot_is_taken_by_a_browser_test() -> None:
    assert guide_shots() - _taken_by_browser_tests() == set()


def test_every_guide_screenshot_is_in_the_guide_directory() -> None:
    missing = sorted(n for n in guide_shots() if not (GUIDE_DIR / f"{n}.png").is_file())
    assert missing == [], f"run `make guide` to take them: {missing}"


def test_the_guide_directory_holds_no_stale_screenshots() -> None:
    kept = {p.stem for p in GUIDE_DIR.glob("*.png")}
    assert kept - guide_shots() == set()


def test_the_journeys_the_issue_names_have_a_page() -> None:
    titles = {j.title for j in JOURNEYS}
    for journey in ("登录", "增员", "减员", "缴费工资申报", "补缴", "报盘上传", "信息变更"):
        assert journey in titles
    assert any("回执验证" in t for t in titles)


@pytest.mark.django_db
def test_each_guide_page_shows_its_steps_and_images(client: Client) -> None:
    for journey in JOURNEYS:
        html = client.get(f"/guide/{journey.slug}/").content.decode()
        for step in journey.steps:
            assert step.text in html
            if step.shot:
                assert f"reports/guide/{step.shot}.png" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "slug"), [
    ("/unit/login/", "login"), ("/unit/forms/", "upload"), ("/verify/", "verify")])
def test_pages_link_their_guide(client: Client, path: str, slug: str) -> None:
    assert f'href="/guide/{slug}/"' in client.get(path).content.decode()
