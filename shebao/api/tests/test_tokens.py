"""Bearer tokens: what `/api/v1/auth/me` accepts and refuses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from shebao.api.models import ApiToken
from shebao.api.tests.helpers import ME, bearer, post_token
from shebao.audit.services import SYSTEM
from shebao.certauth.ca import LocalCa
from shebao.certauth.services import certificate_unbind
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit

pytestmark = pytest.mark.django_db
TokenHolder = tuple[str, Holder]


@pytest.fixture
def token_and_holder(client: Client, local_ca: LocalCa, tmp_path: Path) -> TokenHolder:
    holder = unit_with_certificate(tmp_path)
    return post_token(client, holder).json()["token"], holder


def refusal(client: Client, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    response = client.get(ME, headers=headers)
    return response.status_code, response.json()


def test_me_without_token_is_401_in_chinese(client: Client) -> None:
    status, body = refusal(client, {})
    assert status == 401
    assert body == {"code": "unauthenticated",
                    "message": "未提供访问令牌或令牌无效，请先以单位证书登录取得令牌"}


def test_unknown_token_is_refused(client: Client) -> None:
    assert refusal(client, bearer("sbt_made-up")) == (
        401, {"code": "token_invalid", "message": "访问令牌无效，请重新登录取得令牌"})


def test_expired_token_is_refused(client: Client, token_and_holder: TokenHolder) -> None:
    token, _ = token_and_holder
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    status, body = refusal(client, bearer(token))
    assert (status, body["code"]) == (401, "token_expired")
    assert body["message"] == "访问令牌已过期，请重新登录取得令牌"


def test_revoked_token_is_refused(client: Client, token_and_holder: TokenHolder) -> None:
    token, _ = token_and_holder
    ApiToken.objects.update(revoked_at=timezone.now())
    assert refusal(client, bearer(token))[1]["code"] == "token_invalid"


def test_unbinding_the_certificate_stops_its_tokens(client: Client,
                                                    token_and_holder: TokenHolder) -> None:
    token, holder = token_and_holder
    assert holder.binding is not None
    certificate_unbind(holder.binding, actor=SYSTEM)
    status, body = refusal(client, bearer(token))
    assert (status, body["code"]) == (401, "certificate_no_longer_valid")
    assert "绑定已解除" in body["message"]


def test_suspending_the_unit_stops_its_tokens(client: Client,
                                              token_and_holder: TokenHolder) -> None:
    token, holder = token_and_holder
    Unit.objects.filter(pk=holder.unit.pk).update(online_status=OnlineStatus.SUSPENDED)
    status, body = refusal(client, bearer(token))
    assert (status, body["code"]) == (401, "certificate_no_longer_valid")
    assert "已暂停" in body["message"]


def test_token_lifetime_never_exceeds_the_certificate(client: Client, local_ca: LocalCa,
                                                      tmp_path: Path) -> None:
    now = timezone.now()
    holder = unit_with_certificate(tmp_path, not_before=now - dt.timedelta(days=1),
                                   not_after=now + dt.timedelta(hours=1))
    body = post_token(client, holder).json()
    assert dt.datetime.fromisoformat(body["expires_at"]) <= now + dt.timedelta(hours=1)


def test_token_principal_is_a_unit_principal(client: Client, token_and_holder: TokenHolder) -> None:
    from shebao.api.tokens import token_principal

    token, holder = token_and_holder
    principal = token_principal(token)
    assert (principal.kind, principal.unit_id, principal.label) == (
        "unit", holder.unit.pk, holder.unit.number)
    assert holder.binding is not None
    assert principal.credential == holder.binding.fingerprint
