"""`/api/v1/queries/…`: the unit queries by token, paginated, the token's unit only."""

from __future__ import annotations

import pytest
from django.test import Client

from shebao.certauth.tests.helpers import Holder
from shebao.reports.tests.helpers import YEAR, staff_of
from shebao.tests.helpers import make_unit

from .helpers import bearer, post_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(holder: Holder) -> dict[str, str]:
    return bearer(post_token(Client(), holder).json()["token"])


def test_bases_by_token_are_the_units_with_yuan_strings_and_totals(holder, auth):
    staff_of(holder.unit)
    staff_of(make_unit(), prefix="外")
    response = Client().get(f"/api/v1/queries/bases?year={YEAR}", headers=auth)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["unit"] == holder.unit.number and data["count"] == 2
    assert [r["name"] for r in data["rows"]] == ["王现职", "赵新人"]
    assert data["rows"][0]["wage"] == "50000.00" and data["rows"][0]["year"] == YEAR
    assert data["totals"]["wage"] == "53000.00"
    assert data["filters"]["year"] == YEAR


def test_people_are_paginated_and_filtered(holder, auth):
    for i in range(40):
        staff_of(holder.unit, prefix=f"{i:02d}")
    first = Client().get("/api/v1/queries/people", headers=auth).json()
    assert (first["count"], first["pages"], len(first["rows"])) == (120, 2, 100)
    second = Client().get("/api/v1/queries/people?page=2", headers=auth).json()
    assert len(second["rows"]) == 20
    assert Client().get("/api/v1/queries/people?page=9", headers=auth).json()["rows"] == []
    former = Client().get("/api/v1/queries/people?status=former", headers=auth).json()
    assert former["count"] == 40 and {r["status"] for r in former["rows"]} == {"已减员"}


def test_another_units_person_is_not_found_by_its_id_number(holder, auth):
    other = staff_of(make_unit(), prefix="外")
    data = Client().get(f"/api/v1/queries/account1992?person={other.former.id_number}",
                        headers=auth).json()
    assert data["count"] == 0 and data["rows"] == []


def test_bad_filters_are_422_in_chinese_and_no_token_is_401(auth):
    response = Client().get("/api/v1/queries/bases?year=1800", headers=auth)
    assert response.status_code == 422
    assert response.json() == {"code": "invalid_request", "message": "不是已知的缴费年度"}
    bad = Client().get("/api/v1/queries/people?status=retired", headers=auth)
    assert bad.status_code == 422 and "人员状态" in bad.json()["message"]
    assert Client().get("/api/v1/queries/people").status_code == 401


def test_each_query_is_documented_in_the_openapi_schema():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for kind, title in (("people", "员工基本信息"), ("bases", "员工缴费基数"),
                        ("account1992", "1992年至1995年养老账户")):
        operation = paths[f"/api/v1/queries/{kind}"]["get"]
        assert operation["summary"] == title
