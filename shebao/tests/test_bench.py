"""The settlement benchmark (bench/settlement.py) on a small city, so that it keeps running.

`make bench` builds a million-person city; here the same measurements run once on a
city of a few hundred persons, built with the bench's own `shebao demo` arguments.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from bench.settlement import FLOOR_TABLE, city_args, inside
from shebao.registry.models import Enrolment

pytestmark = pytest.mark.django_db


def test_settlement_bench_runs_on_a_small_city():
    # A city this small would get a contribution history (settled, paid, closed
    # months) unless the bench asks for none: the bench then failed to clear the month
    # it measures (ProtectedError: the month's bills are referenced by allocations).
    call_command("demo", *city_args(200), "--units", "12", stdout=StringIO())
    results = inside()
    enrolled = (Enrolment.objects.filter(insurance="pension", first_month__lte=202610)
                .exclude(last_month__lt=202610).count())
    assert results["floor_rows"] == enrolled > 0
    assert results["settle_rows"] >= results["bare_rows"] > 0
    assert all(len(times) == 3 for times in results["runs"].values())
    assert len(results["floor_ratios"]) == 3
    assert FLOOR_TABLE not in connection.introspection.table_names()
