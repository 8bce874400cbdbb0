"""The web login endpoints, logout, and the unit home page (scoped to the caller)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shebao.accounts.models import User
from shebao.accounts.principal import SESSION_KEY
from shebao.audit.models import ActorKind, Event
from shebao.audit.services import SYSTEM
from shebao.certauth.ca import LocalCa
from shebao.certauth.services import certificate_unbind
from shebao.certauth.tests.helpers import Holder, open_unit, unit_with_certificate
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Unit

pytestmark = pytest.mark.django_db

LOGIN = "/unit/login/"
CHALLENGE = "/unit/login/challenge/"
VERIFY = "/unit/login/verify/"
HOME = "/unit/"


def web_login(client: Client, holder: Holder, **extra: Any) -> Any:
    nonce = client.post(CHALLENGE).json()["nonce"]
    body = {"certificate": holder.cert_pem, "nonce": nonce, "signature": holder.sign(nonce),
            **extra}
    return client.post(VERIFY, body, content_type="application/json")


def test_login_page_has_two_unnamed_file_inputs_and_an_external_script(client: Client) -> None:
    html = client.get(LOGIN).content.decode()
    assert "参保单位数字证书登录" in html
    inputs = re.findall(r"<input type=\"file\"[^>]*>", html)
    assert len(inputs) == 2
    assert all(" name=" not in tag for tag in inputs)  # keys are never uploaded
    assert re.search(r'<script src="/static/certauth/login\.js" defer></script>', html)
    assert "<script>" not in html and "style=" not in html
    assert 'role="alert" hidden' in html


def test_form_posted_without_script_explains_itself(client: Client) -> None:
    response = client.post(LOGIN)
    assert response.status_code == 400
    assert "请启用 JavaScript" in response.content.decode()


def test_login_starts_a_unit_session_and_home_shows_the_unit(
        client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")
    other = unit_with_certificate(tmp_path, name="北京海淀另一家有限公司")

    response = web_login(client, holder)

    assert response.status_code == 200
    assert response.json() == {"next": HOME, "unit": holder.unit.number}
    session = client.session[SESSION_KEY]
    assert holder.binding is not None
    assert (session["kind"], session["unit_id"], session["credential"]) == (
        "unit", holder.unit.pk, holder.binding.fingerprint)
    html = client.get(HOME).content.decode()
    unit = holder.unit
    for text in ("北京朝阳示范科技有限公司", unit.number, unit.uscc or "", unit.registration_no,
                 "朝阳区", "企业", "小型", "按月", "独立参保", "网上申报状态", "已开通",
                 "养老保险、失业保险、工伤保险、生育保险、医疗保险", "即将开放", "增员", "补缴"):
        assert text in html, text
    assert other.unit.name not in html and other.unit.number not in html
    assert f"{timezone.localtime(holder.binding.not_after):%Y-%m-%d}" in html
    tiles = html.split('id="biz-h"')[1]
    for link in ("/unit/declarations/enrol/", "/unit/declarations/leave/",
                 "/unit/declarations/wage/", "/unit/declarations/backpay/",
                 "/unit/declarations/upload/", "/unit/forms/", "/unit/declarations/",
                 "/unit/declarations/unit-change/", "/unit/declarations/person-change/"):
        assert f'<a href="{link}">' in tiles, link
    assert tiles.count("即将开放") == 1  # 查询 is not online yet


def test_home_shows_the_organization_code_when_there_is_no_uscc(
        client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, uscc=None, insurances="pension,medical")
    web_login(client, holder)
    html = client.get(HOME).content.decode()
    assert "组织机构代码" in html and holder.unit.printed_org_code in html
    assert "养老保险、医疗保险" in html


def test_login_is_audited_with_the_web_channel(client: Client, local_ca: LocalCa,
                                              tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    web_login(client, holder)
    event = Event.objects.get(action="unit_login")
    assert (event.actor_kind, event.actor, event.source_ip) == (
        ActorKind.UNIT, holder.unit.number, "127.0.0.1")
    assert event.after == {"channel": "web", "unit": holder.unit.number}


def test_refusal_is_json_in_chinese_and_starts_no_session(client: Client, local_ca: LocalCa,
                                                         tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    Unit.objects.filter(pk=holder.unit.pk).update(online_status=OnlineStatus.CLOSED)

    response = web_login(client, holder)

    assert response.status_code == 401
    assert response.json()["code"] == "unit_not_open"
    assert "未开通网上申报业务" in response.json()["message"]
    assert SESSION_KEY not in client.session
    event = Event.objects.get(action="unit_login_refused")
    assert event.after is not None and event.after["channel"] == "web"


def test_api_nonce_is_not_accepted_on_the_web(client: Client, local_ca: LocalCa,
                                              tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    nonce = client.post("/api/v1/auth/challenge").json()["nonce"]
    body = {"certificate": holder.cert_pem, "nonce": nonce, "signature": holder.sign(nonce)}
    response = client.post(VERIFY, body, content_type="application/json")
    assert response.json()["code"] == "nonce_unknown"


def test_incomplete_request_is_400(client: Client) -> None:
    response = client.post(VERIFY, {"nonce": 1}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_verify_and_challenge_need_the_csrf_token(local_ca: LocalCa, tmp_path: Path) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(CHALLENGE).status_code == 403
    assert strict.post(VERIFY, {}, content_type="application/json").status_code == 403


def test_next_stays_on_this_site(client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    response = web_login(client, holder, next="https://evil.example/")
    assert response.json()["next"] == HOME
    client.post("/unit/logout/")
    assert web_login(client, holder, next="/unit/?tab=1").json()["next"] == "/unit/?tab=1"


def test_anonymous_home_redirects_to_login(client: Client) -> None:
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/unit/login/?next=/unit/"


def test_staff_cannot_open_the_unit_home(client: Client) -> None:
    user = User.objects.create_user("jingban09", password="x", is_staff=True, role="intake")
    client.force_login(user)
    assert client.get(HOME).status_code == 403


def test_logout_ends_the_session_and_is_audited(client: Client, local_ca: LocalCa,
                                                tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    web_login(client, holder)
    assert client.get("/unit/logout/").status_code == 405

    response = client.post("/unit/logout/", follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert "您已安全退出" in response.content.decode()
    assert client.get(HOME).status_code == 302
    assert Event.objects.filter(action="unit_logout", actor=holder.unit.number).exists()


@pytest.mark.parametrize("change", ["unbind", "suspend"])
def test_session_ends_when_the_certificate_may_no_longer_be_used(
        client: Client, local_ca: LocalCa, tmp_path: Path, change: str) -> None:
    holder = unit_with_certificate(tmp_path)
    web_login(client, holder)
    if change == "unbind":
        assert holder.binding is not None
        certificate_unbind(holder.binding, actor=SYSTEM)
    else:
        Unit.objects.filter(pk=holder.unit.pk).update(online_status=OnlineStatus.SUSPENDED)

    response = client.get(HOME, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert ("绑定已解除" if change == "unbind" else "已暂停") in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logged_in_unit_sees_only_its_own_unit_whatever_the_url(
        client: Client, local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    other = open_unit(name="北京别家单位有限公司")
    web_login(client, holder)
    for url in (f"{HOME}?unit={other.number}", f"{HOME}?unit_id={other.pk}"):
        html = client.get(url).content.decode()
        assert other.name not in html and holder.unit.name in html
    assert client.get(f"/unit/{other.number}/").status_code == 404


def test_login_page_sends_a_logged_in_unit_home(client: Client, local_ca: LocalCa,
                                                tmp_path: Path) -> None:
    web_login(client, unit_with_certificate(tmp_path))
    response = client.get(LOGIN)
    assert (response.status_code, response["Location"]) == (302, HOME)


def test_unit_for_refuses_other_kinds_of_principal() -> None:
    from django.core.exceptions import PermissionDenied

    from shebao.accounts.principal import ANONYMOUS, Principal
    from shebao.certauth.selectors import unit_for

    for principal in (ANONYMOUS, Principal("person", person_id=1, label="x"),
                      Principal("staff", user_id=1, role="admin", label="y")):
        with pytest.raises(PermissionDenied):
            unit_for(principal)
