"""The unit's API tokens page clicked through in Chromium: from the unit home, a token
of the enterprise client revoked, then the rest at once.

Browser tests: ORM work comes before the first browser action (shebao/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.test import Client
from playwright.sync_api import Page, expect

from shebao.api.tests.helpers import post_token
from shebao.api.tokens import HANDLE_CHARS, token_hash
from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import unit_with_certificate
from shebao.declarations.tests.helpers import browser_cert_login

Screenshot = Callable[[Page, str], Path]


def test_unit_revokes_its_api_tokens(page: Page, screenshot: Screenshot, local_ca: LocalCa,
                                     tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    tokens = [post_token(Client(), holder).json()["token"] for _ in range(2)]
    newest = token_hash(tokens[1])[:HANDLE_CHARS]

    browser_cert_login(page, holder)
    page.get_by_role("link", name="接口访问令牌").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("接口访问令牌")
    expect(page.locator("#tokens tbody tr")).to_have_count(2)
    expect(page.locator("#count")).to_contain_text("共 2 个有效令牌")
    screenshot(page, "api-tokens")

    page.get_by_role("button", name=f"注销令牌 {newest}").click()
    expect(page.locator(".messages")).to_contain_text(f"已注销访问令牌 {newest}")
    expect(page.locator("#tokens tbody tr")).to_have_count(1)
    expect(page.locator("#tokens")).not_to_contain_text(newest)

    page.get_by_role("button", name="注销全部令牌").click()
    expect(page.locator(".messages")).to_contain_text("已注销本单位全部 1 个访问令牌")
    expect(page.locator("#none")).to_have_text("本单位目前没有有效的访问令牌。")
    screenshot(page, "api-tokens-none")
