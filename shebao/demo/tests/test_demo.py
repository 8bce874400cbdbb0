"""The demo city: deterministic, valid identifiers, one designated unit per failed rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO
from itertools import pairwise

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from shebao.demo.context import IMPORTED_LAST_YEAR
from shebao.demo.designated import (
    ARREARS_UNIT_NUMBERS,
    DESIGNATED_UNITS,
    NOT_YET_OPEN_NUMBERS,
    Failure,
)
from shebao.demo.generator import DemoConfig, DemoError, demo_generate
from shebao.demo.staff import DEMO_LOGINS, DEMO_PASSWORD
from shebao.demo.writer import DatabaseSink, DigestSink
from shebao.lib.idnumbers import (
    id_birth_date,
    id_sex,
    normalize_id_number,
    normalize_org_code,
    normalize_uscc,
    uscc_org_code,
)
from shebao.lib.money import PPM, apply_rates, div_half_up
from shebao.lib.periods import Month
from shebao.pension.models import Account1992, AccountYear
from shebao.policy.selectors import (
    interest_factor_for_year,
    interest_rate_for_year,
    policy_at,
    policy_years,
)
from shebao.registry.choices import OnlineStatus, SettlementCycle, WageSource
from shebao.registry.models import (
    ALL_INSURANCES,
    Enrolment,
    MedicalUnitInfo,
    Person,
    Unit,
    UnitInjuryRate,
    WageBase,
)

TODAY = dt.date(2026, 11, 26)
SMALL = DemoConfig(persons=200, units=12, seed=7, today=TODAY)
CITY = DemoConfig(persons=400, units=30, seed=11, today=TODAY, batch_size=150)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return demo_generate(CITY, DatabaseSink())


def _digest(config: DemoConfig) -> str:
    sink = DigestSink()
    demo_generate(config, sink)
    return sink.hexdigest()


def _unit_failures(unit: Unit) -> set[str]:
    """The eligibility rules a unit fails, judged from its registry data alone."""
    failures = set()
    if unit.settlement_cycle != SettlementCycle.MONTHLY:
        failures.add(Failure.QUARTERLY_CYCLE)
    if unit.has_violation:
        failures.add(Failure.VIOLATION)
    if unit.insurance_set != frozenset(ALL_INSURANCES.split(",")):
        failures.add(Failure.MISSING_INSURANCE)
    if unit.enrolment_mode == "secondary":
        failures.add(Failure.SECONDARY)
    for field in unit.medical_info.mismatches():
        failures.add(f"medical_{field}")
    if unit.number in ARREARS_UNIT_NUMBERS:
        failures.add(Failure.ARREARS)
    return failures


def test_same_seed_gives_the_same_rows():
    assert _digest(SMALL) == _digest(SMALL)


def test_another_seed_gives_another_city():
    other = DemoConfig(persons=200, units=12, seed=8, today=TODAY)
    assert _digest(SMALL) != _digest(other)


def test_batch_size_does_not_change_the_rows():
    rebatched = DemoConfig(persons=200, units=12, seed=7, today=TODAY, batch_size=33)
    assert _digest(SMALL) == _digest(rebatched)


def test_refuses_fewer_units_than_designated():
    with pytest.raises(DemoError):
        demo_generate(DemoConfig(persons=10, units=5, seed=1, today=TODAY), DigestSink())


def test_refuses_a_today_before_the_wage_history():
    with pytest.raises(DemoError):
        demo_generate(DemoConfig(persons=10, seed=1, today=dt.date(2012, 5, 1)), DigestSink())


def test_counts_match_the_database(city):
    assert Unit.objects.count() == city.units == CITY.units
    assert Person.objects.count() == city.persons == CITY.persons
    assert Enrolment.objects.count() == city.enrolments
    assert WageBase.objects.count() == city.wages
    assert MedicalUnitInfo.objects.count() == city.units
    assert AccountYear.objects.count() == city.account_years > 0
    assert Account1992.objects.count() == city.accounts_1992 > 0


def test_unit_identifiers_are_valid_and_unique(city):
    units = list(Unit.objects.all())
    assert any(u.uscc is None for u in units), "an older unit with only an org code"
    for unit in units:
        assert len(unit.number) == 8 and unit.number.isdigit()
        assert unit.registration_no.startswith(unit.district)
        assert normalize_org_code(unit.org_code) == unit.org_code
        if unit.uscc:
            assert normalize_uscc(unit.uscc) == unit.uscc
            assert uscc_org_code(unit.uscc) == unit.org_code
    assert len({u.registration_no for u in units}) == len(units)
    assert len({u.name for u in units}) == len(units)


def test_person_ids_agree_with_birth_date_and_sex(city):
    for person in Person.objects.all():
        assert normalize_id_number(person.id_number, today=TODAY) == person.id_number
        assert id_birth_date(person.id_number) == person.birth_date
        assert id_sex(person.id_number) == person.sex
    hukou = Counter(Person.objects.values_list("hukou", flat=True))
    assert 0.1 < hukou["rural"] / CITY.persons < 0.3
    assert Person.objects.exclude(id_number__startswith="11").exists()


def test_exactly_one_unit_fails_each_rule(city):
    failing = defaultdict(list)
    for unit in Unit.objects.select_related("medical_info"):
        failures = _unit_failures(unit)
        for failure in failures:
            failing[failure].append(unit.number)
        assert len(failures) <= 1, unit.number
        if failures:
            assert unit.online_status != OnlineStatus.OPEN, unit.number
        elif unit.number in NOT_YET_OPEN_NUMBERS:
            assert unit.online_status == OnlineStatus.CLOSED
        else:
            assert unit.online_status == OnlineStatus.OPEN, unit.number
            assert unit.online_opened_at is not None
    expected = {d.failure: [d.number] for d in DESIGNATED_UNITS if d.failure}
    assert dict(failing) == expected


def test_secondary_unit_has_another_unit_as_parent(city):
    branch = Unit.objects.get(enrolment_mode="secondary")
    assert branch.parent is not None and branch.parent != branch
    assert branch.parent.enrolment_mode == "independent"


def test_injury_rates_follow_the_class_schemes(city):
    allowed = {c: policy_at(Month(2015, 10)).floating_allowed(c) for c in range(1, 9)}
    by_unit = defaultdict(list)
    for rate in UnitInjuryRate.objects.order_by("unit_id", "first_month"):
        by_unit[rate.unit_id].append(rate)
        if rate.first_month < 201510:
            assert rate.last_month is not None and rate.last_month <= 201509
            assert rate.injury_class <= 3 and rate.floating_pct == 100
        else:
            assert rate.floating_pct in (allowed[rate.injury_class] or ())
    assert len(by_unit) == CITY.units
    for rates in by_unit.values():
        assert rates[-1].last_month is None
        for before, after in pairwise(rates):
            assert before.last_month is not None
            assert Month.from_int(before.last_month).add(1) == Month.from_int(after.first_month)


def test_enrolments_are_consistent(city):
    units = {u.pk: u for u in Unit.objects.all()}
    open_pairs = Counter(Enrolment.objects.filter(last_month__isnull=True)
                         .values_list("person_id", "insurance"))
    assert open_pairs and max(open_pairs.values()) == 1
    for enrolment in Enrolment.objects.all():
        unit = units[enrolment.unit_id]
        assert enrolment.insurance in unit.insurance_set
        assert enrolment.first_month >= 200411
        assert Month.from_int(enrolment.first_month) >= Month.of(unit.created_at.date())
        assert enrolment.last_month is None or enrolment.end_reason
        assert enrolment.first_month <= int(Month.of(TODAY))
    enrolled_now = {p for p, _ in open_pairs}
    assert 0.6 < len(enrolled_now) / CITY.persons < 0.95
    assert Enrolment.objects.exclude(last_month=None).exists()


def test_current_enrolments_have_this_years_wage(city):
    label = policy_at(Month.of(TODAY)).year_label
    wages = set(WageBase.objects.filter(policy_year=label).values_list("person_id", "unit_id"))
    current = set(Enrolment.objects.filter(last_month__isnull=True, insurance="pension")
                  .values_list("person_id", "unit_id"))
    assert current and current <= wages
    labels = {f.value for f in policy_years()}
    assert set(WageBase.objects.values_list("policy_year", flat=True)) <= labels
    assert min(WageBase.objects.values_list("policy_year", flat=True)) >= 2019
    sources = set(WageBase.objects.values_list("source", flat=True))
    assert sources == {WageSource.DECLARED, WageSource.NEW_HIRE}
    assert WageBase.objects.filter(wage__lt=200_000).count() == 0


def test_account_1992_belongs_to_the_older(city):
    for account in Account1992.objects.select_related("person"):
        assert account.person.birth_date.year < 1975
        assert 0 < account.months <= 48
        assert account.personal_part > 0 and account.unit_transferred_part > 0


def test_imported_years_hold_together(city):
    old = {a.person_id: a for a in Account1992.objects.all()}
    by_person = defaultdict(list)
    for row in AccountYear.objects.order_by("person_id", "year"):
        by_person[row.person_id].append(row)
    for person_id, rows in by_person.items():
        first = rows[0]
        opening = old[person_id].balance if person_id in old else 0
        cumulative = old[person_id].months if person_id in old else 0
        assert first.opening == opening
        for row in rows:
            assert row.source == AccountYear.Source.IMPORTED
            assert 1996 <= row.year <= IMPORTED_LAST_YEAR
            rate = interest_rate_for_year(row.year).value
            factor = interest_factor_for_year(row.year)
            factor_ppm = factor.value if factor else PPM
            assert row.rate_ppm == rate
            assert row.opening == opening
            assert row.interest_opening == apply_rates(row.opening, rate)
            assert row.interest_credits == div_half_up(row.credits * rate * factor_ppm,
                                                       PPM * PPM * 2)
            assert row.closing == (row.opening + row.credits + row.interest_opening
                                   + row.interest_credits)
            cumulative += row.months_paid
            assert row.cumulative_months == cumulative and row.months_paid <= 12
            opening = row.closing
        assert [r.year for r in rows] == list(range(first.year, IMPORTED_LAST_YEAR + 1))


def test_imported_months_from_2005_follow_the_enrolment_spells(city):
    spells = defaultdict(list)
    for e in Enrolment.objects.filter(insurance="pension"):
        spells[e.person_id].append((e.first_month, e.last_month or 999912))
    for row in AccountYear.objects.filter(year__gte=2005):
        months = sum(
            1 for m in range(row.year * 100 + 1, row.year * 100 + 13)
            if any(a <= m <= b for a, b in spells[row.person_id]))
        assert row.months_paid == months


def test_command_builds_the_city_and_prints_logins():
    out = StringIO()
    call_command("demo", "--units", "12", "--persons", "50", "--seed", "3",
                 "--today", "2026-11-26", stdout=out)
    text = out.getvalue()
    assert Unit.objects.count() == 12 and Person.objects.count() == 50
    assert "演示数据生成完毕" in text
    for login in DEMO_LOGINS:
        assert f"用户名 {login.username}" in text
    assert DEMO_PASSWORD in text


def test_if_empty_leaves_a_populated_database_alone():
    call_command("demo", "--units", "12", "--persons", "30", "--today", "2026-11-26",
                 stdout=StringIO())
    before = (Unit.objects.count(), Person.objects.count(), Enrolment.objects.count())
    out = StringIO()
    call_command("demo", "--if-empty", "--persons", "99", stdout=out)
    assert (Unit.objects.count(), Person.objects.count(), Enrolment.objects.count()) == before
    assert "未生成演示数据" in out.getvalue() and DEMO_PASSWORD in out.getvalue()


def test_refuses_a_populated_database_without_if_empty():
    call_command("demo", "--units", "12", "--persons", "10", "--today", "2026-11-26",
                 stdout=StringIO())
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("demo", "--persons", "10", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "拒绝生成演示数据" in err.getvalue()
    assert Person.objects.count() == 10


def test_staff_logins_authenticate_and_see_the_registry(client):
    call_command("demo", "--units", "12", "--persons", "10", "--today", "2026-11-26",
                 stdout=StringIO())
    for login in DEMO_LOGINS:
        user = authenticate(username=login.username, password=DEMO_PASSWORD)
        assert user is not None and user.is_staff and user.role == login.role
        assert user.is_superuser == login.superuser
        assert user.has_perm("registry.view_unit") and user.has_perm("pension.view_accountyear")
    assert client.login(username="shouli", password=DEMO_PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "/admin/registry/unit/" in response.content.decode()
