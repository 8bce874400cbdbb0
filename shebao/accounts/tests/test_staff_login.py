"""Staff login with password and TOTP, enrolment, reuse, lockout, admin routing."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from shebao.accounts import totp
from shebao.accounts.errors import IdentityError
from shebao.accounts.models import StaffCredential, StaffRole
from shebao.accounts.staff import IP_LIMIT, staff_totp_code, staff_totp_enrol, staff_totp_reset
from shebao.accounts.tests.helpers import TEST_TOTP_SECRET, make_staff, staff_client_login, totp_now
from shebao.audit.models import Event
from shebao.audit.services import SYSTEM

pytestmark = pytest.mark.django_db
GENERIC = "用户名、密码或动态口令不正确"


@pytest.fixture
def shouli():
    return make_staff(StaffRole.INTAKE, "shouli", full_name="李受理")


def errors(response) -> str:
    return " ".join(e for errs in response.context["form"].errors.values() for e in errs)


def signed_in(client) -> bool:
    return AUTH_SESSION_KEY in client.session


def test_password_and_current_code_log_in(client, shouli, clock):
    response = staff_client_login(client, "shouli")
    assert response.status_code == 302 and response.url == "/backoffice/"
    assert signed_in(client) and client.get("/backoffice/").status_code == 200
    event = Event.objects.get(action="staff_login")
    assert (event.actor_kind, event.actor, event.source_ip) == ("staff", "shouli", "127.0.0.1")


def test_a_code_from_the_previous_step_is_still_accepted(client, shouli, clock):
    assert staff_client_login(client, "shouli", steps=-1).status_code == 302


def test_next_is_followed_only_on_this_site(client, shouli, clock):
    data = {"username": "shouli", "password": "Zhengque-Mima-2026", "code": totp_now()}
    assert client.post("/staff/login/?next=/backoffice/arrears/", data).url == \
        "/backoffice/arrears/"
    client.post("/staff/logout/")
    clock.advance(seconds=30)
    data["code"] = totp_now()
    assert client.post("/staff/login/?next=https://evil.example/", data).url == "/backoffice/"


def test_wrong_code_is_refused(client, shouli, clock):
    wrong = f"{(int(totp_now()) + 1) % 1_000_000:06d}"
    response = client.post("/staff/login/", {"username": "shouli",
                                             "password": "Zhengque-Mima-2026", "code": wrong})
    assert GENERIC in errors(response) and not signed_in(client)
    assert Event.objects.get(action="staff_login_failed").after == {"reason": "wrong_totp"}


def test_missing_code_is_refused_for_enrolled_staff(client, shouli, clock):
    response = client.post("/staff/login/", {"username": "shouli",
                                             "password": "Zhengque-Mima-2026", "code": ""})
    assert GENERIC in errors(response) and not signed_in(client)


def test_wrong_password_is_refused_with_the_same_message(client, shouli, clock):
    response = client.post("/staff/login/", {"username": "shouli", "password": "nope-2026",
                                             "code": totp_now()})
    assert GENERIC in errors(response) and not signed_in(client)
    assert Event.objects.get(action="staff_login_failed").after == {"reason": "wrong_password"}


def test_a_code_is_good_once(client, shouli, clock):
    assert staff_client_login(client, "shouli").status_code == 302
    other = Client()
    response = staff_client_login(other, "shouli")
    assert GENERIC in errors(response)
    assert Event.objects.get(action="staff_login_failed").after == {"reason": "reused_totp"}
    # An earlier step than the one used is spent too.
    assert GENERIC in errors(staff_client_login(other, "shouli", steps=-1))
    clock.advance(seconds=30)
    assert staff_client_login(other, "shouli").status_code == 302


def test_staff_without_role_or_staff_flag_cannot_log_in(client, clock):
    make_staff("", "norole")
    make_staff(StaffRole.REVIEW, "notstaff", is_staff=False)
    for name in ("norole", "notstaff"):
        assert GENERIC in errors(staff_client_login(client, name))


def test_five_failures_lock_the_username_for_fifteen_minutes(client, shouli, clock):
    for _ in range(4):
        client.post("/staff/login/", {"username": "shouli", "password": "x", "code": "000000"})
    response = client.post("/staff/login/", {"username": "SHOULI", "password": "x",
                                             "code": "000000"})
    assert "已暂停登录 15 分钟" in errors(response)
    assert "已暂停登录" in errors(staff_client_login(client, "shouli"))
    assert Event.objects.filter(action="staff_login_locked").count() == 1
    clock.advance(minutes=15)
    assert staff_client_login(client, "shouli").status_code == 302


def test_wrong_codes_lock_too_and_the_lock_holds_until_it_expires(client, shouli, clock):
    """Five wrong codes after the right password lock the username; while locked the
    right password and current code are refused from any address without being checked
    (the code is not spent), other staff are not affected, and the lock ends at 15:00."""
    shenhe = make_staff(StaffRole.REVIEW, "shenhe")
    for _ in range(5):
        wrong = f"{(int(totp_now()) + 1) % 1_000_000:06d}"
        last = client.post("/staff/login/", {"username": "shouli",
                                             "password": "Zhengque-Mima-2026", "code": wrong})
    assert "已暂停登录 15 分钟" in errors(last)
    assert Event.objects.filter(action="staff_login_locked").count() == 1
    step_before = StaffCredential.objects.get(user=shouli).totp_last_step
    right = {"username": "shouli", "password": "Zhengque-Mima-2026", "code": totp_now()}
    for address in ("127.0.0.1", "198.51.100.30"):
        refused = Client().post("/staff/login/", right, REMOTE_ADDR=address)
        assert "已暂停登录" in errors(refused) and "请于 3月2日 09:15 后再试" in errors(refused)
    assert StaffCredential.objects.get(user=shouli).totp_last_step == step_before
    assert Event.objects.filter(action="staff_login_refused",
                                after={"reason": "locked"}).count() == 2
    assert Event.objects.filter(action="staff_login_failed").count() == 5
    assert staff_client_login(Client(), shenhe.username).status_code == 302
    clock.advance(minutes=14, seconds=59)
    assert "已暂停登录" in errors(staff_client_login(client, "shouli"))
    clock.advance(seconds=1)
    assert staff_client_login(client, "shouli").status_code == 302


def test_unknown_usernames_lock_like_real_ones(client, shouli, clock):
    for name in ("shouli", "nobody"):
        replies = [errors(client.post("/staff/login/", {"username": name, "password": "x",
                                                        "code": "123456"})) for _ in range(5)]
        assert replies[0].startswith(GENERIC) and "已暂停登录" in replies[4]


def test_failures_from_one_address_are_rate_limited(client, shouli, clock):
    for n in range(IP_LIMIT):
        client.post("/staff/login/", {"username": f"guess{n}", "password": "x", "code": "1"},
                    REMOTE_ADDR="203.0.113.5")
    response = client.post("/staff/login/", {
        "username": "shouli", "password": "Zhengque-Mima-2026", "code": totp_now()},
        REMOTE_ADDR="203.0.113.5")
    assert "登录尝试过于频繁" in errors(response)
    assert staff_client_login(client, "shouli").status_code == 302  # from another address


def test_login_needs_csrf(shouli, clock):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/staff/login/", {"username": "shouli",
                                             "password": "Zhengque-Mima-2026",
                                             "code": totp_now()})
    assert response.status_code == 403


def test_login_cycles_the_session_key(client, shouli, clock):
    client.get("/staff/login/")
    client.session.save()
    before = client.session.session_key
    staff_client_login(client, "shouli")
    assert client.session.session_key != before


def test_enrolment_shows_the_secret_and_confirms_with_a_code(client, clock):
    make_staff(StaffRole.REVIEW, "shenhe", secret=None)
    response = client.post("/staff/login/?next=/backoffice/audit/", {
        "username": "shenhe", "password": "Zhengque-Mima-2026", "code": ""})
    assert response.status_code == 302 and response.url == "/staff/totp/"
    assert not signed_in(client) and client.get("/backoffice/").status_code == 302
    page = client.get("/staff/totp/").content.decode()
    uri = _match(r'id="totp-uri">([^<]+)<', page).replace("&amp;", "&")
    secret = _match(r"secret=([A-Z2-7]+)", uri)
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page
    # A reload shows the same secret (the app may have scanned it already).
    assert secret in client.get("/staff/totp/").content.decode().replace(" ", "")
    wrong = client.post("/staff/totp/", {"code": f"{(int(totp_now(secret)) + 1) % 10**6:06d}"})
    assert "动态口令不正确" in errors(wrong) and not signed_in(client)
    done = client.post("/staff/totp/", {"code": totp_now(secret)})
    assert done.status_code == 302 and done.url == "/backoffice/audit/" and signed_in(client)
    assert StaffCredential.objects.get(user__username="shenhe").totp_confirmed
    assert client.get("/staff/totp/").status_code == 302  # nothing pending any more
    actions = list(Event.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-4:] == ["staff_totp_required", "staff_totp_enrol_failed",
                            "staff_totp_enrol", "staff_login"]


def test_the_enrolment_page_needs_a_checked_password_first(client):
    response = client.get("/staff/totp/")
    assert response.status_code == 302 and response.url == "/staff/login/"


def test_the_enrolment_code_cannot_be_reused_for_login(client, clock):
    make_staff(StaffRole.REVIEW, "shenhe", secret=None)
    client.post("/staff/login/", {"username": "shenhe", "password": "Zhengque-Mima-2026"})
    secret = staff_secret(client)
    code = totp_now(secret)
    client.post("/staff/totp/", {"code": code})
    client.post("/staff/logout/")
    reply = client.post("/staff/login/", {"username": "shenhe",
                                          "password": "Zhengque-Mima-2026", "code": code})
    assert GENERIC in errors(reply)


def _match(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found is not None, pattern
    return found.group(1)


def staff_secret(client) -> str:
    return _match(r"secret=([A-Z2-7]+)", client.get("/staff/totp/").content.decode())


def test_admin_login_goes_through_the_staff_login(client, clock):
    make_staff(StaffRole.ADMIN, "guanli", is_superuser=True)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url == "/admin/login/?next=/admin/"
    redirect = client.get(response.url)
    assert redirect.status_code == 302 and redirect.url == "/staff/login/?next=%2Fadmin%2F"
    # Posting username and password to the admin's login URL logs nobody in.
    client.post("/admin/login/?next=/admin/", {"username": "guanli",
                                               "password": "Zhengque-Mima-2026"})
    assert not signed_in(client)
    data = {"username": "guanli", "password": "Zhengque-Mima-2026", "code": totp_now()}
    assert client.post("/staff/login/?next=/admin/", data).url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_logout_needs_post(client, shouli, clock):
    staff_client_login(client, "shouli")
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").url == "/staff/login/"
    assert not signed_in(client)
    assert Event.objects.filter(action="staff_logout", actor="shouli").exists()


def test_anonymous_staff_pages_redirect_to_the_staff_login(client):
    response = client.get("/backoffice/")
    assert response.status_code == 302 and response.url == "/staff/login/?next=/backoffice/"


def test_secret_is_stored_encrypted(shouli):
    stored = StaffCredential.objects.get(user=shouli).totp_secret
    assert TEST_TOTP_SECRET not in stored and stored.startswith("gAAAAA")


def test_enrol_refuses_short_or_malformed_secrets(shouli):
    with pytest.raises(IdentityError):
        staff_totp_enrol(shouli, "JBSWY3DPEHPK3PXP", actor=SYSTEM)  # 80 bits
    with pytest.raises(IdentityError):
        staff_totp_enrol(shouli, "not base32 !!", actor=SYSTEM)


def test_reset_sends_the_next_login_to_enrolment(client, shouli, clock):
    staff_totp_reset(shouli, actor=SYSTEM)
    response = client.post("/staff/login/", {"username": "shouli",
                                             "password": "Zhengque-Mima-2026"})
    assert response.url == "/staff/totp/"
    assert Event.objects.filter(action="staff_totp_reset").exists()


def test_totp_code_command_prints_the_current_code(shouli, clock):
    out = io.StringIO()
    call_command("totp_code", "shouli", stdout=out)
    assert out.getvalue().strip() == totp_now() == staff_totp_code(shouli)
    assert totp.matching_step(TEST_TOTP_SECRET, out.getvalue().strip(),
                              clock.now.timestamp()) is not None


def test_totp_code_command_refuses_unknown_or_unenrolled_staff():
    make_staff(StaffRole.INTAKE, "fresh", secret=None)
    for name in ("nobody", "fresh"):
        with pytest.raises(CommandError):
            call_command("totp_code", name, stdout=io.StringIO())
