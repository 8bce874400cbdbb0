"""本人基本信息: the signed-in person only, a fixed number of queries; sessions of one
kind cannot open pages of the other."""

from __future__ import annotations

import datetime as dt

import pytest

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import (
    give_password,
    make_staff,
    person_client_login,
    staff_client_login,
)
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_people():
    unit_a = make_unit(name="北京甲测试科技有限公司")
    unit_b = make_unit(name="北京乙测试商贸有限公司")
    a = give_password(make_person(name="王五", birth=dt.date(1980, 2, 29), phone="13800001111",
                                  address="北京市朝阳区测试路1号"))
    b = give_password(make_person(name="赵六", phone="13900002222", address="北京市海淀区某路"))
    make_enrolment(a, unit_a, first=Month(2019, 7))
    make_enrolment(b, unit_b, first=Month(2021, 3))
    return a, b


def test_home_shows_own_basic_information_and_enrolments(client, two_people):
    a, _ = two_people
    person_client_login(client, a)
    page = client.get("/person/").content.decode()
    for text in ("王五", a.masked_id_number, "男", "1980年2月29日", "城镇", "13800001111",
                 "北京市朝阳区测试路1号", "企业职工基本养老保险", "城镇职工基本医疗保险",
                 "北京甲测试科技有限公司", "2019年07月"):
        assert text in page, text
    assert a.id_number not in page  # masked only


def test_home_never_shows_another_person(client, two_people):
    a, b = two_people
    person_client_login(client, a)
    for url in ("/person/", f"/person/?person={b.pk}", f"/person/?ref={b.ref}",
                f"/person/?id_number={b.id_number}"):
        page = client.get(url).content.decode()
        assert "王五" in page and "赵六" not in page and "北京乙测试商贸有限公司" not in page


@pytest.mark.parametrize("template", ["/person/{ref}/", "/person/{pk}/", "/person/{id}/",
                                      "/person/password/{ref}/", "/person/home/{pk}/"])
def test_guessed_urls_with_another_persons_ids_are_404(client, two_people, template):
    a, b = two_people
    person_client_login(client, a)
    url = template.format(ref=b.ref, pk=b.pk, id=b.id_number)
    assert client.get(url).status_code == 404


def test_home_costs_a_fixed_number_of_queries(client, two_people, django_assert_max_num_queries):
    a, _ = two_people
    person_client_login(client, a)
    # session read, person, enrolments with their units, session save (in a savepoint)
    with django_assert_max_num_queries(6):
        assert client.get("/person/").status_code == 200


def test_anonymous_is_sent_to_the_person_login(client):
    response = client.get("/person/")
    assert response.status_code == 302 and response.url == "/person/login/?next=/person/"


@pytest.mark.parametrize("url", ["/backoffice/", "/backoffice/persons/", "/backoffice/audit/"])
def test_a_person_session_cannot_open_staff_pages(client, two_people, url):
    person_client_login(client, two_people[0])
    assert client.get(url).status_code == 403


def test_a_person_session_cannot_open_the_admin(client, two_people):
    person_client_login(client, two_people[0])
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert client.get(response.url).url.startswith("/staff/login/")


@pytest.mark.parametrize("url", ["/person/", "/person/password/"])
def test_a_staff_session_cannot_open_person_pages(client, url):
    make_staff(StaffRole.ADMIN, "guanli")
    assert staff_client_login(client, "guanli").status_code == 302
    assert client.get(url).status_code == 403


def test_a_person_login_ends_a_staff_session_in_the_same_browser(client, two_people):
    make_staff(StaffRole.INTAKE, "shouli")
    staff_client_login(client, "shouli")
    person_client_login(client, two_people[0])
    assert client.get("/backoffice/").status_code == 403
    assert client.get("/person/").status_code == 200


def test_a_staff_login_ends_a_person_session_in_the_same_browser(client, two_people):
    person_client_login(client, two_people[0])
    make_staff(StaffRole.INTAKE, "shouli")
    staff_client_login(client, "shouli")
    assert client.get("/person/").status_code == 403
    assert client.get("/backoffice/").status_code == 200
