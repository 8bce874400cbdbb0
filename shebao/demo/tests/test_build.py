"""The demo city written to the database: the same seed gives the same rows, including
the imported account years that SQL derives from the persons' seeds."""

import datetime as dt
import hashlib

import pytest
from django.db import connection

from shebao.demo.context import IMPORTED_LAST_YEAR
from shebao.demo.generator import DemoConfig, demo_generate
from shebao.demo.imported import RULE_TABLE, SEED_TABLE
from shebao.demo.writer import DatabaseSink
from shebao.pension.models import Account1992, AccountYear
from shebao.registry.models import (
    Enrolment,
    MedicalUnitInfo,
    Person,
    Unit,
    UnitInjuryRate,
    WageBase,
)

pytestmark = pytest.mark.django_db

CONFIG = DemoConfig(persons=250, units=14, seed=23, today=dt.date(2026, 11, 26), batch_size=90)
# Every table the generator fills, its rows in a natural order, surrogate ids left out
# (they are not part of the city: a rebuild in the same database numbers them on).
TABLES = {
    Unit: ("number",), UnitInjuryRate: ("unit_id", "first_month"),
    MedicalUnitInfo: ("unit_id",), Person: ("id",),
    Enrolment: ("person_id", "insurance", "first_month"),
    WageBase: ("person_id", "unit_id", "policy_year"), Account1992: ("person_id",),
    AccountYear: ("person_id", "year"),
}


def _city_digest() -> str:
    total = hashlib.sha256()
    for model, order in TABLES.items():
        fields = [f.attname for f in model._meta.concrete_fields
                  if not (f.primary_key and model not in (Unit, Person))]
        for row in model._default_manager.order_by(*order).values_list(*fields):
            total.update(repr(row).encode())
    return total.hexdigest()


def _clear() -> None:
    """Empty the city's tables (plain DELETEs: a branch unit protects its parent)."""
    with connection.cursor() as cursor:
        for model in reversed(list(TABLES)):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def test_the_same_seed_writes_the_same_city_twice():
    sink = DatabaseSink()
    counts = demo_generate(CONFIG, sink)
    sink.close()
    first = _city_digest()
    assert AccountYear.objects.count() == counts.account_years > CONFIG.persons
    _clear()
    demo_generate(CONFIG, DatabaseSink())
    assert _city_digest() == first


def test_every_imported_account_runs_to_the_last_imported_year():
    counts = demo_generate(CONFIG, DatabaseSink())
    years = AccountYear.objects.values_list("person_id", "year")
    by_person: dict[int, list[int]] = {}
    for person_id, year in years.order_by("person_id", "year"):
        by_person.setdefault(person_id, []).append(year)
    assert len(by_person) > CONFIG.persons // 2
    assert sum(len(v) for v in by_person.values()) == counts.account_years
    for person_years in by_person.values():
        assert person_years == list(range(person_years[0], IMPORTED_LAST_YEAR + 1))
    assert AccountYear.objects.filter(months_paid__gt=0, average_base=0).count() == 0
    assert AccountYear.objects.filter(months_paid=0).exclude(average_base=0).count() == 0
    assert AccountYear.objects.filter(months_paid__gt=12).count() == 0


def test_the_scratch_tables_are_dropped_after_the_build():
    sink = DatabaseSink()
    demo_generate(CONFIG, sink)
    sink.close()
    tables = set(connection.introspection.table_names(include_views=False))
    with connection.cursor() as cursor:  # temporary tables are not listed everywhere
        for table in (SEED_TABLE, RULE_TABLE):
            assert table not in tables
            with pytest.raises(Exception):  # noqa: B017 (the vendor's "no such table")
                cursor.execute(f"SELECT 1 FROM {table}")
