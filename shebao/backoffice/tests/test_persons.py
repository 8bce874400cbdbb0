"""密码函 at the counter: search by ID number, person page, letter; roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password

from shebao.accounts.models import PersonCredential, StaffRole
from shebao.accounts.tests.helpers import give_password, make_staff, staff_client_login
from shebao.audit.models import Event
from shebao.lib.idnumbers import valid_id_number
from shebao.tests.helpers import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(client):
    make_staff(StaffRole.INTAKE, "shouli", full_name="李受理")
    assert staff_client_login(client, "shouli").status_code == 302
    return client


@pytest.fixture
def person():
    return make_person(name="孙七")


def test_search_by_id_number_opens_the_person_page(intake, person):
    response = intake.get("/backoffice/persons/", {"id_number": person.id_number.lower()})
    assert response.status_code == 302 and response.url == f"/backoffice/persons/{person.ref}/"
    page = intake.get(response.url).content.decode()
    assert "孙七" in page and person.masked_id_number in page and "未设置" in page


def test_search_accepts_fifteen_digits_and_explains_misses(intake):
    person = make_person(id_number="11010519491231002X")
    response = intake.get("/backoffice/persons/", {"id_number": "110105491231002"})
    assert response.url == f"/backoffice/persons/{person.ref}/"
    nobody = valid_id_number(dt.date(1990, 1, 1), 555)
    response = intake.get("/backoffice/persons/", {"id_number": nobody})
    assert "未找到该公民身份号码的参保人" in response.content.decode()


def test_generating_a_letter_shows_the_code_once_and_stores_only_its_hash(intake, person):
    response = intake.post(f"/backoffice/persons/{person.ref}/letter/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    code = response.context["letter"].code
    assert f"{code[:4]}-{code[4:]}" in page
    for text in ("社会保险个人查询密码函", "孙七", person.masked_id_number, "有效期至",
                 "经办人：李受理", "只能使用一次"):
        assert text in page, text
    assert person.id_number not in page
    cred = PersonCredential.objects.get(person=person)
    assert check_password(code, cred.activation_code) and code not in cred.activation_code
    event = Event.objects.get(action="person_letter_issue")
    assert (event.actor, event.object_ref) == ("shouli", person.ref)
    # The person page never shows the code again.
    assert code not in intake.get(f"/backoffice/persons/{person.ref}/").content.decode()


def test_a_letter_for_a_person_with_a_password_keeps_it_until_activation(intake):
    person = give_password(make_person())
    intake.post(f"/backoffice/persons/{person.ref}/letter/")
    assert PersonCredential.objects.get(person=person).has_password


def test_letter_needs_post(intake, person):
    assert intake.get(f"/backoffice/persons/{person.ref}/letter/").status_code == 405


def test_unknown_refs_are_404(intake, person):
    assert intake.get("/backoffice/persons/0123456789abcdef/").status_code == 404
    assert intake.post("/backoffice/persons/0123456789abcdef/letter/").status_code == 404
    assert intake.get(f"/backoffice/persons/{person.pk}/").status_code == 404


@pytest.mark.parametrize(("role", "status"), [(StaffRole.INTAKE, 200), (StaffRole.ADMIN, 200),
                                              (StaffRole.REVIEW, 403)])
def test_roles(client, person, role, status):
    make_staff(role, "someone")
    staff_client_login(client, "someone")
    assert client.get(f"/backoffice/persons/{person.ref}/").status_code == status
    assert client.get("/backoffice/persons/").status_code == status
    expected = 200 if status == 200 else 403
    assert client.post(f"/backoffice/persons/{person.ref}/letter/").status_code == expected


def test_anonymous_is_sent_to_staff_login(client, person):
    response = client.post(f"/backoffice/persons/{person.ref}/letter/")
    assert response.status_code == 302 and response.url.startswith("/staff/login/")
    assert not PersonCredential.objects.exists()
