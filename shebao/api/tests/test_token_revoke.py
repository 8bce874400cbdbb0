"""Revoking API tokens: the program's own logout (`DELETE /auth/token`) and the unit's
tokens page on the web (one, all, never another unit's)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shebao.api.models import ApiToken
from shebao.api.tests.helpers import ME, TOKEN, bearer, post_token
from shebao.api.tokens import HANDLE_CHARS, token_hash
from shebao.audit.models import Event
from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.tests.helpers import unit_login

pytestmark = pytest.mark.django_db
PAGE = "/unit/api-tokens/"


@pytest.fixture
def other(local_ca: LocalCa, tmp_path: Path) -> Holder:
    return unit_with_certificate(tmp_path / "b", name="北京海淀示范商贸有限公司")


def issue(holder: Holder) -> str:
    return str(post_token(Client(), holder).json()["token"])


def works(token: str) -> bool:
    return Client().get(ME, headers=bearer(token)).status_code == 200


def handle(token: str) -> str:
    return token_hash(token)[:HANDLE_CHARS]


# --- the program's logout ------------------------------------------------------------


def test_delete_revokes_the_token_of_the_request_only(holder: Holder) -> None:
    mine, kept = issue(holder), issue(holder)
    response = Client().delete(TOKEN, headers=bearer(mine))
    assert response.status_code == 204 and response.content == b""
    assert not works(mine) and works(kept)
    again = Client().delete(TOKEN, headers=bearer(mine))
    assert again.status_code == 401 and again.json()["code"] == "token_invalid"
    event = Event.objects.get(action="api_token_revoke")
    assert event.object_ref == holder.unit.number and event.actor_kind == "unit"
    assert event.after == {"tokens": [handle(mine)], "scope": "one"}


def test_delete_without_a_token_is_refused(client: Client) -> None:
    response = client.delete(TOKEN)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert not Event.objects.filter(action="api_token_revoke").exists()


# --- the unit's tokens page ----------------------------------------------------------


def _table(html: str) -> list[str]:
    return re.findall(r'<tr><td class="mono">([0-9a-f]{16})</td>', html)


def test_the_page_lists_the_units_working_tokens_only(holder: Holder, other: Holder) -> None:
    first, second = issue(holder), issue(holder)
    expired, revoked = issue(holder), issue(holder)
    ApiToken.objects.filter(key_hash=token_hash(expired)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    ApiToken.objects.filter(key_hash=token_hash(revoked)).update(revoked_at=timezone.now())
    theirs = issue(other)
    client = Client()
    unit_login(client, holder)
    html = client.get(PAGE).content.decode()
    assert "接口访问令牌" in html and "共 <strong>2</strong> 个有效令牌" in html
    assert _table(html) == [handle(second), handle(first)]  # newest first
    assert handle(theirs) not in html and first not in html and second not in html
    assert "127.0.0.1" in html


def test_revoking_one_token_stops_it_at_once(holder: Holder) -> None:
    gone, kept = issue(holder), issue(holder)
    client = Client()
    unit_login(client, holder)
    response = client.post(f"{PAGE}{handle(gone)}/revoke/", follow=True)
    html = response.content.decode()
    assert f"已注销访问令牌 {handle(gone)}" in html
    assert _table(html) == [handle(kept)]
    assert not works(gone) and works(kept)
    event = Event.objects.get(action="api_token_revoke")
    assert event.after == {"tokens": [handle(gone)], "scope": "one"}


def test_another_units_token_cannot_be_revoked(holder: Holder, other: Holder) -> None:
    theirs = issue(other)
    client = Client()
    unit_login(client, holder)
    assert client.post(f"{PAGE}{handle(theirs)}/revoke/").status_code == 404
    assert client.post(f"{PAGE}{handle(theirs)[:8]}/revoke/").status_code == 404
    assert works(theirs)
    assert not Event.objects.filter(action="api_token_revoke").exists()


def test_revoking_all_tokens(holder: Holder, other: Holder) -> None:
    tokens = [issue(holder) for _ in range(3)]
    theirs = issue(other)
    client = Client()
    unit_login(client, holder)
    html = client.post(f"{PAGE}revoke-all/", follow=True).content.decode()
    assert "已注销本单位全部 3 个访问令牌" in html and "本单位目前没有有效的访问令牌" in html
    assert not any(works(t) for t in tokens) and works(theirs)
    assert (Event.objects.get(action="api_token_revoke").after or {}).get("scope") == "all"
    html = client.post(f"{PAGE}revoke-all/", follow=True).content.decode()
    assert "本单位没有有效的访问令牌" in html
    assert Event.objects.filter(action="api_token_revoke").count() == 1


def test_revoking_needs_the_csrf_token(holder: Holder) -> None:
    token = issue(holder)
    logged_in = Client()
    unit_login(logged_in, holder)
    client = Client(enforce_csrf_checks=True)
    client.cookies = logged_in.cookies  # the same session, without the form's token
    assert client.get(PAGE).status_code == 200
    assert client.post(f"{PAGE}{handle(token)}/revoke/").status_code == 403
    assert client.post(f"{PAGE}revoke-all/").status_code == 403
    assert works(token)


def test_the_page_costs_the_same_queries_for_2_tokens_as_for_40(
        holder: Holder, django_assert_max_num_queries) -> None:
    client = Client()
    unit_login(client, holder)
    for _ in range(2):
        issue(holder)
    client.get(PAGE)
    with django_assert_max_num_queries(8) as few:
        client.get(PAGE)
    binding = ApiToken.objects.filter(unit=holder.unit).first()
    assert binding is not None
    ApiToken.objects.bulk_create([  # as if issued over the day (the login rate limit)
        ApiToken(key_hash=f"{n:064x}", unit=holder.unit, fingerprint=binding.fingerprint,
                 client_ip="10.0.0.1", expires_at=binding.expires_at) for n in range(38)])
    with django_assert_max_num_queries(len(few)):
        assert len(_table(client.get(PAGE).content.decode())) == 40
