"""参保人 login, lockout, rate limit by address, logout and password change."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from shebao.accounts.models import PersonCredential
from shebao.accounts.persons import IP_LIMIT
from shebao.accounts.principal import SESSION_KEY
from shebao.accounts.tests.helpers import PERSON_PASSWORD, give_password, person_client_login
from shebao.audit.models import Event
from shebao.lib.idnumbers import valid_id_number
from shebao.tests.helpers import make_person

pytestmark = pytest.mark.django_db
GENERIC = "公民身份号码或查询密码不正确"


@pytest.fixture
def person():
    return give_password(make_person(name="李四"))


def form_errors(response) -> str:
    return " ".join(response.context["form"].non_field_errors())


def test_login_success_starts_a_person_session(client, person):
    response = person_client_login(client, person)
    assert response.status_code == 302 and response.url == "/person/"
    assert client.session[SESSION_KEY]["person_id"] == person.pk
    assert client.get("/person/").status_code == 200
    event = Event.objects.get(action="person_login")
    assert event.actor_kind == "person" and event.actor == person.masked_id_number
    assert event.source_ip == "127.0.0.1" and event.object_ref == person.ref


def test_login_accepts_the_fifteen_digit_id_number(client):
    person = give_password(make_person(id_number="11010519491231002X"))
    response = client.post("/person/login/", {"id_number": "110105491231002",
                                              "password": PERSON_PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY]["person_id"] == person.pk


def test_login_cycles_the_session_key(client, person):
    client.get("/person/login/")
    client.session.save()
    before = client.session.session_key
    person_client_login(client, person)
    assert client.session.session_key != before


def test_login_form_needs_csrf(person):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/person/login/", {"id_number": person.id_number,
                                              "password": PERSON_PASSWORD})
    assert response.status_code == 403


def test_login_only_by_post():
    assert Client().put("/person/login/").status_code == 405


def test_wrong_password_is_refused_with_the_generic_message(client, person):
    response = person_client_login(client, person, "wrong-pass-1")
    assert response.status_code == 200 and GENERIC in form_errors(response)
    assert SESSION_KEY not in client.session
    failed = Event.objects.get(action="person_login_failed")
    assert failed.after == {"reason": "wrong_password"} and failed.actor_kind == "anonymous"


def test_five_failures_lock_for_fifteen_minutes_then_release(client, person, clock):
    for _ in range(4):
        assert GENERIC in form_errors(person_client_login(client, person, "wrong-pass-1"))
    locked = form_errors(person_client_login(client, person, "wrong-pass-1"))
    assert "已暂停登录 15 分钟" in locked and "请于 3月2日 09:15 后再试" in locked
    # The right password is refused while locked, without being checked.
    assert "已暂停登录" in form_errors(person_client_login(client, person))
    assert Event.objects.filter(action="person_login_locked").count() == 1
    assert Event.objects.filter(action="person_login_refused").count() == 1
    clock.advance(minutes=14, seconds=59)
    assert "已暂停登录" in form_errors(person_client_login(client, person))
    clock.advance(seconds=1)
    assert person_client_login(client, person).status_code == 302


def test_a_success_resets_the_failure_count(client, person, clock):
    for _ in range(4):
        person_client_login(client, person, "wrong-pass-1")
    assert person_client_login(client, person).status_code == 302
    for _ in range(4):
        assert GENERIC in form_errors(person_client_login(client, person, "wrong-pass-1"))


def test_unknown_id_numbers_get_the_same_messages_and_lock_the_same_way(client, person, clock):
    unknown = valid_id_number(person.birth_date, 997)
    post = {"id_number": unknown, "password": "whatever-1"}
    messages = [form_errors(client.post("/person/login/", post)) for _ in range(5)]
    known = [form_errors(person_client_login(client, person, "whatever-1")) for _ in range(5)]
    assert messages == known
    assert messages[0].startswith(GENERIC) and "已暂停登录" in messages[4]


def test_a_person_without_a_password_gets_the_generic_message(client):
    person = make_person()
    response = client.post("/person/login/", {"id_number": person.id_number,
                                              "password": "anything-1"})
    assert GENERIC in form_errors(response)


def test_failures_from_one_address_are_rate_limited(client, person, clock):
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for serial in range(IP_LIMIT):
        unknown = valid_id_number(person.birth_date, 601 + serial * 2)
        client.post("/person/login/", {"id_number": unknown, "password": "guess-123"},
                    **attacker)
    refused = person_client_login(client, person, **attacker)
    assert "登录尝试过于频繁" in form_errors(refused)
    assert Event.objects.filter(action="person_login_refused",
                                after={"reason": "throttled"}).exists()
    # Another address is not affected, and the limit passes with its window.
    assert person_client_login(Client(), person, REMOTE_ADDR="198.51.100.7").status_code == 302
    clock.advance(minutes=15)
    assert person_client_login(client, person, **attacker).status_code == 302


def test_one_locked_person_does_not_lock_out_the_others_behind_the_same_address(
        client, person, clock):
    """An office or a school behind one NAT: one colleague locks their ID number, many
    others mistype once and then log in, all from the same address."""
    office = {"REMOTE_ADDR": "203.0.113.20"}
    for _ in range(5):
        person_client_login(client, person, "wrong-pass-1", **office)
    assert "已暂停登录" in form_errors(person_client_login(client, person, **office))
    for n in range(30):
        colleague = give_password(make_person(name=f"同事{n}"))
        other = Client()
        assert GENERIC in form_errors(person_client_login(other, colleague, "typo-pass-1",
                                                          **office))
        assert person_client_login(other, colleague, **office).status_code == 302, n
    assert "已暂停登录" in form_errors(person_client_login(client, person, **office))


def test_the_address_ceiling_stops_a_spray_across_many_id_numbers(client, person, clock):
    """Four guesses at each of many ID numbers stay under each one's lockout; the ceiling
    per address stops them, for every ID number, with a Chinese message."""
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    guesses = 0
    serial = 1
    while guesses < IP_LIMIT:
        target = valid_id_number(person.birth_date, serial)
        serial += 2
        for _ in range(min(4, IP_LIMIT - guesses)):
            client.post("/person/login/", {"id_number": target, "password": "guess-123"},
                        **attacker)
            guesses += 1
    refused = form_errors(person_client_login(client, person, **attacker))
    assert refused == "登录尝试过于频繁，请 15 分钟后再试。"
    assert person_client_login(Client(), person, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_logout_needs_post_and_ends_the_session(client, person):
    person_client_login(client, person)
    assert client.get("/person/logout/").status_code == 405
    response = client.post("/person/logout/")
    assert response.status_code == 302 and SESSION_KEY not in client.session
    assert client.get("/person/").status_code == 302
    assert Event.objects.filter(action="person_logout", object_ref=person.ref).exists()


def test_password_change_needs_the_old_password(client, person):
    person_client_login(client, person)
    response = client.post("/person/password/", {
        "old_password": "wrong-pass-1", "new_password1": "Xinmima2026", "new_password2":
        "Xinmima2026"})
    assert "原查询密码不正确" in form_errors(response)
    before = client.session.session_key
    response = client.post("/person/password/", {
        "old_password": PERSON_PASSWORD, "new_password1": "Xinmima2026",
        "new_password2": "Xinmima2026"})
    assert response.status_code == 302 and response.url == "/person/"
    assert check_password("Xinmima2026", PersonCredential.objects.get(person=person).password)
    assert client.session.session_key != before
    assert Event.objects.filter(action="person_password_change").count() == 1
    assert Event.objects.filter(action="person_password_change_failed").count() == 1


def test_password_change_checks_rules_and_agreement(client, person):
    person_client_login(client, person)
    response = client.post("/person/password/", {
        "old_password": PERSON_PASSWORD, "new_password1": "short1", "new_password2": "short1"})
    assert "密码长度不能少于 8 位" in str(response.context["form"].errors)
    response = client.post("/person/password/", {
        "old_password": PERSON_PASSWORD, "new_password1": "Xinmima2026",
        "new_password2": "Xinmima2027"})
    assert "两次输入的新密码不一致" in str(response.context["form"].errors)


def test_password_change_requires_a_person_session(client):
    response = client.get("/person/password/")
    assert response.status_code == 302 and response.url.startswith("/person/login/")
