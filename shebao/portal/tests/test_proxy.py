"""X-Real-IP is believed only from a configured trusted proxy."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from shebao.portal.middleware import TrustedProxyMiddleware


def seen_address(remote: str, header: str | None) -> str:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request.META["REMOTE_ADDR"])
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if header is not None:
        request.META["HTTP_X_REAL_IP"] = header
    TrustedProxyMiddleware(view)(request)
    return seen[0]


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_trusted_proxy_passes_the_client_address():
    assert seen_address("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    assert seen_address("127.0.0.1", None) == "127.0.0.1"


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_a_client_cannot_choose_its_address():
    assert seen_address("198.51.100.9", "203.0.113.7") == "198.51.100.9"


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored():
    assert seen_address("127.0.0.1", "203.0.113.7") == "127.0.0.1"
