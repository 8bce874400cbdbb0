"""The API's error format: `{"code", "message"}` in Chinese, never a stack trace."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shebao.api.tests.helpers import CHALLENGE, TOKEN

pytestmark = pytest.mark.django_db


def test_missing_fields_are_named_in_chinese(client: Client) -> None:
    response = client.post(TOKEN, {"nonce": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_request",
        "message": "请求内容不正确：缺少字段 certificate；缺少字段 signature",
    }


def test_empty_and_oversized_fields_are_refused(client: Client) -> None:
    body = {"certificate": "", "nonce": "n" * 65, "signature": "s"}
    response = client.post(TOKEN, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == (
        "请求内容不正确：字段 certificate 不能为空；字段 nonce 过长")


def test_body_that_is_not_json_is_400(client: Client) -> None:
    response = client.post(TOKEN, "certificate=x", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request",
                               "message": "请求内容无法解析，请以 JSON 格式提交"}


def test_unexpected_failure_is_500_without_trace(client: Client, settings: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DEBUG = True  # not even in debug mode

    def broken(**kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("shebao.api.routers.auth.challenge_request", broken)
    response = client.post(CHALLENGE)
    assert response.status_code == 500
    assert response.json() == {"code": "server_error", "message": "系统内部错误，请稍后再试"}
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content


def test_openapi_document_lists_the_auth_operations(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["info"] == {"title": "北京市社会保险网上申报查询系统接口", "version": "1",
                           "description": doc["info"]["description"]}
    assert {"/api/v1/auth/challenge", "/api/v1/auth/token", "/api/v1/auth/me"} <= set(
        doc["paths"])
    schemes = doc["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
