"""密码函 and activation: the happy path and every refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password

from shebao.accounts import persons
from shebao.accounts.errors import IdentityError
from shebao.accounts.models import PersonCredential
from shebao.accounts.passwords import CODE_ALPHABET, activation_code_display
from shebao.audit.models import Event
from shebao.audit.services import SYSTEM
from shebao.tests.helpers import make_person

pytestmark = pytest.mark.django_db
URL = "/person/activate/"
NEW = "Anquan2026ab"


@pytest.fixture
def person():
    return make_person(name="张三")


@pytest.fixture
def letter(person):
    return persons.person_letter_issue(person=person, actor=SYSTEM)


def activate(client, person, code, one=NEW, two=None, **extra):
    return client.post(URL, {"id_number": person.id_number, "code": code,
                             "new_password1": one, "new_password2": two or one}, **extra)


def errors(response) -> str:
    return " ".join(e for errs in response.context["form"].errors.values() for e in errs)


def test_letter_code_is_random_unambiguous_hashed_and_valid_thirty_days(person, letter):
    assert len(letter.code) == 8 and set(letter.code) <= set(CODE_ALPHABET)
    cred = PersonCredential.objects.get(person=person)
    assert letter.code not in cred.activation_code
    assert check_password(letter.code, cred.activation_code)
    assert letter.expires_at - letter.issued_at == dt.timedelta(days=30)
    assert Event.objects.filter(action="person_letter_issue", object_ref=person.ref).exists()


def test_activation_sets_the_password_and_spends_the_code(client, person, letter):
    response = activate(client, person, activation_code_display(letter.code).lower())
    assert response.status_code == 302 and response.url == "/person/login/"
    cred = PersonCredential.objects.get(person=person)
    assert check_password(NEW, cred.password) and cred.password_set_at is not None
    assert cred.activation_code == ""
    assert Event.objects.filter(action="person_activate", object_ref=person.ref).exists()


def test_a_fifteen_digit_id_number_is_accepted(client, letter):
    person = make_person(id_number="11010519491231002X")
    letter = persons.person_letter_issue(person=person, actor=SYSTEM)
    old_form = "110105491231002"
    response = client.post(URL, {"id_number": old_form, "code": letter.code,
                                 "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302


def test_wrong_code_is_refused(client, person, letter):
    response = activate(client, person, "ABCDEFGH" if letter.code != "ABCDEFGH" else "HGFEDCBA")
    assert response.status_code == 200
    assert "公民身份号码或激活码不正确" in errors(response)
    assert not PersonCredential.objects.get(person=person).has_password
    assert Event.objects.filter(action="person_activate_failed").count() == 1


def test_unknown_id_number_gets_the_same_message(client, person, letter):
    stranger = make_person()
    stranger_id = stranger.id_number
    stranger.delete()
    response = client.post(URL, {"id_number": stranger_id, "code": letter.code,
                                 "new_password1": NEW, "new_password2": NEW})
    assert "公民身份号码或激活码不正确" in errors(response)


def test_expired_code_is_refused(client, person):
    issued = persons.person_letter_issue(
        person=person, actor=SYSTEM,
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=30, seconds=1))
    response = activate(client, person, issued.code)
    assert "激活码已超过有效期" in errors(response)
    assert not PersonCredential.objects.get(person=person).has_password


def test_a_used_code_cannot_be_used_again(client, person, letter):
    assert activate(client, person, letter.code).status_code == 302
    response = activate(client, person, letter.code, one="Lingyige2026x")
    assert "激活码已使用" in errors(response)
    assert check_password(NEW, PersonCredential.objects.get(person=person).password)


def test_a_new_letter_invalidates_the_old_code(client, person, letter):
    newer = persons.person_letter_issue(person=person, actor=SYSTEM)
    assert "公民身份号码或激活码不正确" in errors(activate(client, person, letter.code))
    assert activate(client, person, newer.code).status_code == 302


def test_mismatched_passwords_are_refused_without_spending_the_code(client, person, letter):
    response = activate(client, person, letter.code, one=NEW, two=NEW + "x")
    assert "两次输入的新密码不一致" in errors(response)
    assert PersonCredential.objects.get(person=person).has_activation_code


@pytest.mark.parametrize(
    ("password", "message"),
    [("abc123", "密码长度不能少于 8 位"),
     ("onlyletters", "须同时包含字母和数字"),
     ("1234567890", "须同时包含字母和数字"),
     ("password1", "这个密码太常见了"),
     ])
def test_weak_passwords_are_refused_in_chinese(client, person, letter, password, message):
    response = activate(client, person, letter.code, one=password)
    assert message in errors(response)
    assert PersonCredential.objects.get(person=person).has_activation_code


def test_password_may_not_contain_the_birth_date(client, person, letter):
    birth = person.id_number[6:14]
    response = activate(client, person, letter.code, one=f"ab{birth}")
    assert "出生日期或末六位" in errors(response)


def test_invalid_id_number_format_is_explained(client, person, letter):
    response = client.post(URL, {"id_number": "110105198506150010", "code": letter.code,
                                 "new_password1": NEW, "new_password2": NEW})
    assert "校验码" in errors(response) or "身份证" in errors(response)


def test_five_wrong_codes_lock_activation_for_that_id_number(client, person, letter, clock):
    wrong = "ABCDEFGH" if letter.code != "ABCDEFGH" else "HGFEDCBA"
    for _ in range(4):
        activate(client, person, wrong)
    assert "已暂停设置密码 15 分钟" in errors(activate(client, person, wrong))
    assert "已暂停设置密码" in errors(activate(client, person, letter.code))
    clock.advance(minutes=15)
    assert activate(client, person, letter.code).status_code == 302


def test_service_refuses_a_weak_password_even_without_the_form(person, letter):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        persons.person_activate(id_number=person.id_number, code=letter.code,
                                password="short", ip="10.0.0.1")
    with pytest.raises(IdentityError):
        persons.person_activate(id_number=person.id_number, code="WRONGCOD",
                                password=NEW, ip="10.0.0.1")
