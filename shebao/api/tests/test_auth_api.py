"""`/api/v1/auth/…`: challenge, token and me, against the real endpoints."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shebao.api.models import ApiToken
from shebao.api.tests.helpers import CHALLENGE, ME, bearer, get_nonce, post_token
from shebao.audit.models import ActorKind, Event
from shebao.audit.services import SYSTEM, chain_verify
from shebao.certauth.ca import LocalCa, ca_init, certificate_revoke, crl_publish
from shebao.certauth.certificates import certificate_parse
from shebao.certauth.challenges import challenge_issue
from shebao.certauth.models import LoginChallenge
from shebao.certauth.services import certificate_unbind
from shebao.certauth.tests.helpers import foreign_holder, open_unit, unit_with_certificate
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit

pytestmark = pytest.mark.django_db

def test_valid_certificate_gets_token_and_me_names_its_unit(client: Client, local_ca: LocalCa,
                                                            tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    before = timezone.now()

    response = post_token(client, holder)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "unit", "expires_at"}
    assert body["unit"] == holder.unit.number
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert before + dt.timedelta(hours=8) <= expires <= timezone.now() + dt.timedelta(hours=8)
    me = client.get(ME, headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.json() == {"unit": holder.unit.number, "name": holder.unit.name}


def test_token_is_stored_only_as_hash_and_login_is_audited(client: Client, local_ca: LocalCa,
                                                           tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    token = post_token(client, holder).json()["token"]

    assert not ApiToken.objects.filter(key_hash=token).exists()
    row = ApiToken.objects.get(key_hash=hashlib.sha256(token.encode()).hexdigest())
    assert row.unit == holder.unit
    assert holder.binding is not None and row.fingerprint == holder.binding.fingerprint
    login, issue = Event.objects.filter(action__in=["unit_login", "api_token_issue"]).order_by(
        "seq")
    assert (login.actor_kind, login.actor, login.source_ip) == (
        ActorKind.UNIT, holder.unit.number, "127.0.0.1")
    assert login.after == {"channel": "api", "unit": holder.unit.number}
    assert (issue.action, issue.object_ref) == ("api_token_issue", holder.unit.number)
    assert token not in str(issue.after)
    assert chain_verify() is None


def test_challenge_is_random_and_expires_in_two_minutes(client: Client) -> None:
    first = client.post(CHALLENGE).json()
    second = client.post(CHALLENGE).json()
    assert first["nonce"] != second["nonce"] and len(first["nonce"]) >= 40
    expires = dt.datetime.fromisoformat(first["expires_at"])
    assert dt.timedelta(seconds=110) < expires - timezone.now() <= dt.timedelta(minutes=2)
    assert LoginChallenge.objects.get(nonce=first["nonce"]).channel == "api"


def test_api_needs_no_csrf_token(local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    strict = Client(enforce_csrf_checks=True)
    assert post_token(strict, holder).status_code == 200


def test_multi_use_certificate_with_authorization_logs_in(client: Client, local_ca: LocalCa,
                                                          tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, other_applications=True, multi_use_authorized=True)
    assert post_token(client, holder).status_code == 200


# --- refusals: one code and one Chinese message each ------------------------------------

Case = Callable[[Client, Path], Any]


def _revoked(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    certificate_revoke(certificate_parse(holder.cert_pem))
    return post_token(client, holder)


def _expired(client: Client, tmp: Path) -> Any:
    now = timezone.now()
    holder = unit_with_certificate(tmp, bind=False, not_before=now - dt.timedelta(days=30),
                                   not_after=now - dt.timedelta(days=1))
    return post_token(client, holder)


def _not_yet_valid(client: Client, tmp: Path) -> Any:
    now = timezone.now()
    holder = unit_with_certificate(tmp, not_before=now + dt.timedelta(days=1),
                                   not_after=now + dt.timedelta(days=365))
    return post_token(client, holder)


def _foreign(client: Client, tmp: Path) -> Any:
    return post_token(client, foreign_holder(tmp, open_unit(), same_name=False))


def _impostor(client: Client, tmp: Path) -> Any:
    return post_token(client, foreign_holder(tmp, open_unit(), same_name=True))


def _unbound(client: Client, tmp: Path) -> Any:
    return post_token(client, unit_with_certificate(tmp, bind=False))


def _unit_status(status: str) -> Case:
    def case(client: Client, tmp: Path) -> Any:
        holder = unit_with_certificate(tmp)
        Unit.objects.filter(pk=holder.unit.pk).update(online_status=status)
        return post_token(client, holder)
    return case


def _unbound_later(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    assert holder.binding is not None
    certificate_unbind(holder.binding, actor=SYSTEM)
    return post_token(client, holder)


def _multi_use_unauthorized(client: Client, tmp: Path) -> Any:
    return post_token(client, unit_with_certificate(tmp, other_applications=True))


def _replayed(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    nonce = get_nonce(client)
    signature = holder.sign(nonce)
    assert post_token(client, holder, nonce=nonce, signature=signature).status_code == 200
    return post_token(client, holder, nonce=nonce, signature=signature)


def _expired_nonce(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    nonce = get_nonce(client)
    LoginChallenge.objects.filter(nonce=nonce).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    return post_token(client, holder, nonce=nonce)


def _unknown_nonce(client: Client, tmp: Path) -> Any:
    return post_token(client, unit_with_certificate(tmp), nonce="never-issued-by-the-server")


def _web_nonce(client: Client, tmp: Path) -> Any:
    nonce = challenge_issue(channel="web").nonce
    return post_token(client, unit_with_certificate(tmp), nonce=nonce)


def _tampered(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    nonce = get_nonce(client)
    raw = bytearray(base64.b64decode(holder.sign(nonce)))
    raw[-1] ^= 0x01
    return post_token(client, holder, nonce=nonce, signature=base64.b64encode(raw).decode())


def _other_key(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    other = unit_with_certificate(tmp)
    nonce = get_nonce(client)
    return post_token(client, holder, nonce=nonce, signature=other.sign(nonce))


def _other_nonce(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    return post_token(client, holder, signature=holder.sign(get_nonce(client)))


def _malformed_pem(client: Client, tmp: Path) -> Any:
    return post_token(client, unit_with_certificate(tmp), certificate="这不是证书")


def _garbled_pem(client: Client, tmp: Path) -> Any:
    pem = "-----BEGIN CERTIFICATE-----\nAAAAbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
    return post_token(client, unit_with_certificate(tmp), certificate=pem)


def _malformed_base64(client: Client, tmp: Path) -> Any:
    return post_token(client, unit_with_certificate(tmp), signature="@@不是Base64@@")


def _missing_crl(client: Client, tmp: Path) -> Any:
    from django.conf import settings

    holder = unit_with_certificate(tmp)
    Path(settings.CERT_CRL_FILES[0]).unlink()
    return post_token(client, holder)


def _crl_of_other_ca(client: Client, tmp: Path) -> Any:
    """A CRL under the right name but signed by another key: must not count."""
    from django.conf import settings

    holder = unit_with_certificate(tmp)
    good = {"CA_DIR": settings.CA_DIR, "CERT_TRUSTED_CA_FILES": settings.CERT_TRUSTED_CA_FILES}
    settings.CA_DIR = tmp / "other-ca"
    settings.CERT_TRUSTED_CA_FILES = [tmp / "other-ca" / "ca.pem"]
    ca_init()  # same CA name, new key; overwrites the CRL file
    for name, value in good.items():
        setattr(settings, name, value)
    return post_token(client, holder)


def _stale_crl(client: Client, tmp: Path) -> Any:
    holder = unit_with_certificate(tmp)
    crl_publish(now=timezone.now() - dt.timedelta(days=31))
    return post_token(client, holder)


NOT_BOUND = "证书未与任何已开通网上申报的单位绑定"
REFUSALS: list[tuple[str, Case, str, str]] = [
    ("revoked", _revoked, "certificate_revoked", "证书已被吊销"),
    ("expired", _expired, "certificate_expired", "证书已过期"),
    ("not-yet-valid", _not_yet_valid, "certificate_not_yet_valid", "证书尚未生效"),
    ("foreign-ca", _foreign, "untrusted_issuer", "证书不是由受信任的证书机构签发"),
    ("impostor-ca", _impostor, "untrusted_issuer", "证书不是由受信任的证书机构签发"),
    ("unbound", _unbound, "certificate_not_bound", NOT_BOUND),
    ("unbound-later", _unbound_later, "certificate_not_bound", NOT_BOUND),
    ("unit-closed", _unit_status(OnlineStatus.CLOSED), "unit_not_open", "未开通网上申报业务"),
    ("unit-suspended", _unit_status(OnlineStatus.SUSPENDED), "unit_not_open", "业务已暂停"),
    ("multi-use", _multi_use_unauthorized, "multi_use_unauthorized", "数字证书一证多用授权书"),
    ("replayed-nonce", _replayed, "nonce_used", "该登录请求已使用过"),
    ("expired-nonce", _expired_nonce, "nonce_expired", "登录请求已过期，请刷新后重试"),
    ("unknown-nonce", _unknown_nonce, "nonce_unknown", "登录请求无效"),
    ("web-nonce", _web_nonce, "nonce_unknown", "登录请求无效"),
    ("tampered-signature", _tampered, "signature_invalid", "签名验证失败"),
    ("other-key", _other_key, "signature_invalid", "签名验证失败"),
    ("other-nonce", _other_nonce, "signature_invalid", "签名验证失败"),
    ("malformed-pem", _malformed_pem, "certificate_malformed", "证书格式不正确"),
    ("garbled-pem", _garbled_pem, "certificate_malformed", "证书格式不正确"),
    ("malformed-base64", _malformed_base64, "signature_malformed", "签名格式不正确"),
    ("missing-crl", _missing_crl, "crl_unavailable", "暂时无法核验证书吊销状态"),
    ("crl-of-other-ca", _crl_of_other_ca, "crl_unavailable", "暂时无法核验证书吊销状态"),
    ("stale-crl", _stale_crl, "crl_unavailable", "暂时无法核验证书吊销状态"),
]


@pytest.mark.parametrize(("case", "code", "text"), [r[1:] for r in REFUSALS],
                         ids=[r[0] for r in REFUSALS])
def test_refusal_has_its_code_and_chinese_message(client: Client, local_ca: LocalCa,
                                                  tmp_path: Path, case: Case, code: str,
                                                  text: str) -> None:
    response = case(client, tmp_path)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message"}
    assert body["code"] == code
    assert text in body["message"]
    assert ApiToken.objects.count() == (1 if case is _replayed else 0)  # its first use
    event = Event.objects.filter(action="unit_login_refused").latest("seq")
    assert (event.actor_kind, event.actor, event.source_ip) == (
        ActorKind.ANONYMOUS, "anonymous", "127.0.0.1")
    assert event.after is not None
    assert (event.after["channel"], event.after["code"]) == ("api", code)


def test_refusal_after_binding_names_the_unit_in_the_audit_log(
        client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    _unit_status(OnlineStatus.SUSPENDED)(client, tmp_path)
    event = Event.objects.get(action="unit_login_refused")
    unit = Unit.objects.get()
    assert event.after is not None and event.after["unit"] == unit.number


def test_a_refused_attempt_uses_up_its_nonce(client: Client, local_ca: LocalCa,
                                             tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    nonce = get_nonce(client)
    assert post_token(client, holder, nonce=nonce, signature="AAAA").status_code == 401
    retry = post_token(client, holder, nonce=nonce)
    assert retry.json()["code"] == "nonce_used"
