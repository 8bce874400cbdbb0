"""Challenge and token requests are limited per client address (30 a minute)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from shebao.api.tests.helpers import CHALLENGE, post_token
from shebao.audit.models import Event
from shebao.certauth.ca import LocalCa
from shebao.certauth.tests.helpers import unit_with_certificate

pytestmark = pytest.mark.django_db

LIMIT = 30
RATE_LIMITED = {"code": "rate_limited", "message": "登录请求过于频繁，请一分钟后再试"}


def test_the_31st_request_in_a_minute_gets_429(client: Client) -> None:
    statuses = [client.post(CHALLENGE).status_code for _ in range(LIMIT)]
    assert statuses == [200] * LIMIT
    response = client.post(CHALLENGE)
    assert response.status_code == 429
    assert response.json() == RATE_LIMITED


def test_token_requests_count_too_and_the_refusal_is_audited_once(
        client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    for _ in range(LIMIT - 1):
        client.post(CHALLENGE)
    nonce = client.post(CHALLENGE).json()["nonce"]  # the 30th request

    first = post_token(client, holder, nonce=nonce)
    second = post_token(client, holder, nonce=nonce, signature=holder.sign(nonce))

    assert (first.status_code, second.status_code) == (429, 429)
    assert first.json() == RATE_LIMITED
    events = Event.objects.filter(action="unit_login_refused")
    assert [e.after["code"] for e in events if e.after] == ["rate_limited"]


def test_other_addresses_are_not_limited(client: Client) -> None:
    for _ in range(LIMIT + 1):
        client.post(CHALLENGE)
    other = client.post(CHALLENGE, REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 200


def test_the_limit_is_a_setting(client: Client, settings: Any) -> None:
    settings.CERT_LOGIN_RATE_LIMIT = 2
    assert [client.post(CHALLENGE).status_code for _ in range(3)] == [200, 200, 429]
