"""Contribution rows and pension credits carry no database foreign keys: the integrity
check finds the rows whose unit or person is not in the registry, and only those."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shebao.contributions.integrity import Orphans, orphans_find
from shebao.contributions.models import Contribution
from shebao.contributions.settlement import settlement_run
from shebao.lib.periods import Month
from shebao.pension.models import AccountCredit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

AUG = Month(2025, 8)
MISSING = 987_654_321


def test_tables_have_no_foreign_keys_to_check_at_commit():
    with connection.cursor() as cur:
        for table in ("contributions_contribution", "pension_accountcredit"):
            assert connection.introspection.get_relations(cur, table) == {}


def test_a_settled_city_has_no_orphans():
    unit = make_unit()
    make_enrolment(make_person(), unit, first=Month(2024, 1), wage=1_000_000,
                   policy_years=(2025,))
    settlement_run(AUG, bill_month=AUG)
    assert Contribution.objects.exists()
    assert orphans_find() == []
    out = StringIO()
    call_command("orphans", stdout=out)
    assert "未发现孤立记录" in out.getvalue()


def test_planted_orphans_are_found_with_their_table_and_missing_id():
    unit, person = make_unit(), make_person()
    Contribution.objects.create(unit=unit, person_id=MISSING, month=int(AUG),
                                bill_month=int(AUG), pension_base=1, pension_employer=0,
                                pension_personal=0)
    AccountCredit.objects.create(person=person, unit_id=MISSING, year=2025, month=int(AUG),
                                 base=1, amount=0, booked_at=dt.datetime.now(dt.UTC))
    assert orphans_find() == [
        Orphans("contributions_contribution", "person_id", "registry_person", 1, (MISSING,)),
        Orphans("pension_accountcredit", "unit_id", "registry_unit", 1, (MISSING,)),
    ]
    out = StringIO()
    with pytest.raises(CommandError, match="发现 2 条孤立记录"):
        call_command("orphans", stdout=out)
    assert (f"contributions_contribution.person_id：1 条记录引用的 registry_person 不存在"
            f"（如 id {MISSING}）") in out.getvalue()
