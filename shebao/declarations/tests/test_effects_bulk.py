"""The set-based apply of declarations: the same registry as applying line by line, at a
number of queries that does not grow with the number of lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.contributions.backpay import backpay_quote
from shebao.contributions.columns import COLUMNS, PARTS, column
from shebao.contributions.models import Contribution, LateFeeCharge, UnitMonth
from shebao.contributions.settlement import bills_refresh
from shebao.declarations.batchfiles.kinds import (
    AddRecord,
    BackpayRecord,
    Record,
    RemoveRecord,
    WageRecord,
)
from shebao.declarations.effects import declaration_apply, wage_declaration_year
from shebao.declarations.models import Declaration, DeclarationKind, DeclarationLine, Status
from shebao.declarations.services import declaration_create, declaration_submit
from shebao.declarations.tests.helpers import wage_window_open
from shebao.declarations.tests.samples import person_id
from shebao.lib.idnumbers import id_birth_date, id_sex
from shebao.lib.periods import Month, month_range
from shebao.policy.insurances import ORDER
from shebao.policy.selectors import policy_at
from shebao.registry.models import Enrolment, Person, Unit, WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
UNIT = Actor("unit", "10000001")
TODAY = dt.date(2025, 9, 10)
SOME = "pension,unemployment,medical"  # a unit without work injury and maternity
SEPTEMBER = Month(2025, 9)


# --- the reference: the line-by-line apply this module replaced ---------------------


def _legacy_person(line: DeclarationLine) -> Person:
    person = Person.objects.filter(id_number=line.id_number).first()
    if person is not None:
        return person
    return Person.objects.create(
        id_number=line.id_number, name=line.name, sex=id_sex(line.id_number),
        birth_date=id_birth_date(line.id_number), hukou=line.data["hukou"],
        phone=line.data.get("phone", ""))


def _legacy_line(declaration: Declaration, line: DeclarationLine, today: dt.date) -> None:
    unit, kind = declaration.unit, declaration.kind
    if kind == DeclarationKind.ENROL:
        person = _legacy_person(line)
        start = Month.parse(line.data["start"])
        for ins in ORDER:
            if ins.value in unit.insurance_set:
                Enrolment.objects.create(person=person, unit=unit, insurance=ins,
                                         first_month=int(start),
                                         start_reason=line.data["reason"])
        WageBase.objects.update_or_create(
            person=person, unit=unit, policy_year=policy_at(start).year_label,
            defaults={"wage": line.data["wage"], "source": "new_hire"})
    elif kind == DeclarationKind.LEAVE:
        person = Person.objects.get(id_number=line.id_number)
        Enrolment.objects.filter(person=person, unit=unit, last_month__isnull=True).update(
            last_month=int(Month.parse(line.data["end"])), end_reason=line.data["reason"])
    elif kind == DeclarationKind.WAGE:
        person = Person.objects.get(id_number=line.id_number)
        year = policy_at(Month.from_int(declaration.effective_month or 0)).year_label
        WageBase.objects.update_or_create(
            person=person, unit=unit, policy_year=year,
            defaults={"wage": line.data["wage"], "source": "declared"})
    else:
        person = Person.objects.get(id_number=line.id_number)
        first, last = Month.parse(line.data["start"]), Month.parse(line.data["end"])
        quote = backpay_quote(person=person, unit=unit, as_of=today,
                              wages={m: int(line.data["wage"]) for m in month_range(first, last)})
        Contribution.objects.bulk_create([
            Contribution(unit=unit, person=person, month=int(item.month),
                         bill_month=int(Month.of(today)), kind="backpay",
                         **{column(c.insurance, part): getattr(c, part)
                            for c in item.calc.lines for part in PARTS})
            for item in quote.months])
        if quote.late_fee_total:
            LateFeeCharge.objects.create(unit=unit, bill_month=int(Month.of(today)),
                                         amount=quote.late_fee_total, reason="补缴滞纳金",
                                         ref=declaration.receipt_no or "")
        line.data = {**line.data, "total": quote.total, "late_fee": quote.late_fee_total,
                     "account_credit": quote.account_credit_total}
        bills_refresh(Month.of(today), unit.id, unit.id)
    line.person = person
    line.save(update_fields=["person", "data"])


def legacy_apply(declaration: Declaration, today: dt.date) -> None:
    for line in declaration.lines.order_by("line_no"):
        _legacy_line(declaration, line, today)


def state(declaration: Declaration, old_wages: set[int]) -> dict[str, list[Any]]:
    """What an apply changes, without timestamps and new ids (PostgreSQL does not give
    back the ids of a rolled-back run); a wage base that was there keeps its id."""
    def rows(qs: Any, *fields: str) -> list[Any]:
        return sorted(qs.values_list(*fields), key=repr)

    return {
        "persons": rows(Person.objects, "id_number", "name", "sex", "birth_date", "hukou",
                        "phone"),
        "enrolments": rows(Enrolment.objects, "person__id_number", "unit__number",
                           "insurance", "first_month", "last_month", "start_reason",
                           "end_reason"),
        "wages": sorted(((pk if pk in old_wages else "new", *rest) for pk, *rest in
                         WageBase.objects.values_list("id", "person__id_number",
                                                      "unit__number", "policy_year", "wage",
                                                      "source")), key=repr),
        "lines": list(declaration.lines.order_by("line_no")
                      .values_list("line_no", "person__id_number", "data")),
        "contributions": rows(Contribution.objects, "unit__number", "person__id_number",
                              "month", "bill_month", "kind", *COLUMNS),
        "bills": rows(UnitMonth.objects, "unit__number", "month", "persons", "employer",
                      "personal", "late_fee", "total"),
        "late_fees": rows(LateFeeCharge.objects, "unit__number", "bill_month", "amount",
                          "reason", "ref"),
    }


def draft(unit: Unit, records: Sequence[Record], effective: Month = SEPTEMBER) -> Declaration:
    wage_window_open(TODAY)  # 缴费工资申报 is accepted only inside the yearly window
    declaration = declaration_create(unit=unit, records=list(records), actor=UNIT,
                                     today=TODAY)
    declaration.effective_month = int(effective)
    declaration.save(update_fields=["effective_month"])
    return declaration


def assert_same_as_line_by_line(declaration: Declaration) -> dict[str, list[Any]]:
    old_wages = set(WageBase.objects.values_list("id", flat=True))
    with transaction.atomic():
        legacy_apply(declaration, TODAY)
        expected = state(declaration, old_wages)
        transaction.set_rollback(True)
    declaration = Declaration.objects.get(pk=declaration.pk)
    declaration_apply(declaration, TODAY)
    got = state(declaration, old_wages)
    assert got == expected
    return got


def add(n: int, *, start: Month = SEPTEMBER, wage: int = 1_000_000,
        id_number: str | None = None, **fields: Any) -> AddRecord:
    values: dict[str, Any] = {"row": n + 1, "id_number": id_number or person_id(n),
                              "name": f"新人{n}", "hukou": "urban", "reason": "new",
                              "start": start, "wage": wage, "phone": f"1380000{n:04d}"}
    return AddRecord(**(values | fields))


# --- the same results as line by line ---------------------------------------------------


def test_enrol_creates_persons_enrolments_and_new_hire_wages_like_line_by_line():
    unit, elsewhere = make_unit(insurances=SOME), make_unit()
    # 续保/转入: already in the registry, ended elsewhere, with an old base at this unit
    known = make_person(name="老职工", phone="01088886666")
    make_enrolment(known, elsewhere, first=Month(2020, 1), last=Month(2025, 6))
    old = WageBase.objects.create(person=known, unit=unit, policy_year=2025, wage=500_000,
                                  source="late_default")
    records = [
        add(1),
        add(2, start=Month(2025, 6), hukou="rural", phone=""),  # another policy year
        add(3, id_number=known.id_number, name="改过的名字", reason="resume",
            wage=1_234_500),
    ]
    got = assert_same_as_line_by_line(draft(unit, records))

    new = Person.objects.get(id_number=person_id(2))
    assert (new.sex, new.birth_date, new.hukou, new.phone) == (
        id_sex(person_id(2)), id_birth_date(person_id(2)), "rural", "")
    known.refresh_from_db()
    assert (known.name, known.phone) == ("老职工", "01088886666")  # the registry keeps its own
    assert sorted(Enrolment.objects.filter(unit=unit, person=known)
                  .values_list("insurance", "first_month", "start_reason")) == [
        ("medical", 202509, "resume"), ("pension", 202509, "resume"),
        ("unemployment", 202509, "resume")]
    assert Enrolment.objects.filter(unit=unit).count() == 9
    old.refresh_from_db()  # the same row, updated
    assert (old.wage, old.source) == (1_234_500, "new_hire")
    assert WageBase.objects.get(person=new, unit=unit).policy_year == 2024
    # the timestamps written without the ORM read back as the ORM writes them
    recorded = WageBase.objects.get(person=new, unit=unit).recorded_at
    for stamp in (new.created_at, recorded):
        assert abs(stamp - timezone.now()) < dt.timedelta(minutes=5)
    assert all(person is not None for _, person, _ in got["lines"])


def test_enrol_line_without_phone_key_and_a_unit_of_all_insurances():
    unit = make_unit()
    declaration = draft(unit, [add(1), add(2)])
    line = declaration.lines.get(line_no=2)
    line.data = {k: v for k, v in line.data.items() if k != "phone"}
    line.save()
    assert_same_as_line_by_line(declaration)
    assert Enrolment.objects.filter(unit=unit).count() == 10
    assert Person.objects.get(id_number=person_id(2)).phone == ""


def test_enrol_of_a_person_with_an_open_enrolment_fails_as_before():
    unit, other = make_unit(), make_unit()
    person = make_person()
    make_enrolment(person, other, first=Month(2024, 1))
    declaration = draft(unit, [add(1), add(2, id_number=person.id_number)])
    with pytest.raises(IntegrityError), transaction.atomic():
        declaration_apply(declaration, TODAY)
    assert not Enrolment.objects.filter(unit=unit).exists()


def test_leave_closes_open_enrolments_in_this_unit_like_line_by_line():
    unit, other = make_unit(), make_unit()
    staying, leaving, twice, outsider = (make_person() for _ in range(4))
    make_enrolment(staying, unit, first=Month(2024, 1))
    make_enrolment(leaving, unit, first=Month(2020, 1), last=Month(2022, 12))  # long closed
    make_enrolment(leaving, unit, first=Month(2024, 1))
    make_enrolment(twice, unit, first=Month(2024, 3))
    make_enrolment(outsider, other, first=Month(2024, 1))

    def leave(n: int, person: Person, end: Month, reason: str) -> RemoveRecord:
        return RemoveRecord(row=n, id_number=person.id_number, name=person.name,
                            reason=reason, end=end)

    records = [leave(2, leaving, Month(2025, 8), "contract_terminated"),
               leave(3, twice, Month(2025, 7), "retired"),
               leave(4, twice, Month(2025, 8), "other"),  # finds nothing open any more
               leave(5, outsider, Month(2025, 8), "transfer_out")]
    assert_same_as_line_by_line(draft(unit, records))

    assert set(Enrolment.objects.filter(person=twice).values_list("last_month", "end_reason")
               ) == {(202507, "retired")}
    assert set(Enrolment.objects.filter(person=leaving).values_list("last_month")) == {
        (202212,), (202508,)}
    assert not Enrolment.objects.filter(person__in=[staying, outsider],
                                        last_month__isnull=False).exists()


def test_leave_of_a_person_not_in_the_registry_raises():
    unit = make_unit()
    declaration = draft(unit, [RemoveRecord(row=2, id_number=person_id(7), name="无此人",
                                            reason="other", end=Month(2025, 8))])
    with pytest.raises(Person.DoesNotExist), transaction.atomic():
        declaration_apply(declaration, TODAY)


def test_wage_declaration_updates_and_creates_bases_like_line_by_line():
    unit, other = make_unit(), make_unit()
    with_base, without, twice = (make_person() for _ in range(3))
    for person in (with_base, without, twice):
        make_enrolment(person, unit, first=Month(2024, 1))
    row = WageBase.objects.create(person=with_base, unit=unit, policy_year=2025,
                                  wage=700_000, source="late_default")
    elsewhere = WageBase.objects.create(person=with_base, unit=other, policy_year=2025,
                                        wage=300_000, source="declared")
    records = [WageRecord(row=2, id_number=with_base.id_number, name="a", wage=1_500_000),
               WageRecord(row=3, id_number=without.id_number, name="b", wage=900_000),
               WageRecord(row=4, id_number=twice.id_number, name="c", wage=800_000),
               WageRecord(row=5, id_number=twice.id_number, name="c", wage=810_000)]
    declaration = draft(unit, records, effective=Month(2025, 9))
    assert wage_declaration_year(declaration) == 2025
    assert_same_as_line_by_line(declaration)

    row.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (row.wage, row.source) == (1_500_000, "declared")
    assert elsewhere.wage == 300_000
    assert WageBase.objects.get(person=twice, unit=unit, policy_year=2025).wage == 810_000


def test_backpay_rows_lines_and_bill_like_line_by_line():
    unit = make_unit()
    first, second = make_person(), make_person(hukou="rural")
    for person in (first, second):
        make_enrolment(person, unit, first=Month(2024, 1))
    records = [BackpayRecord(row=2, id_number=first.id_number, name="a", start=Month(2024, 3),
                             end=Month(2024, 5), wage=800_000, reason="漏缴"),
               BackpayRecord(row=3, id_number=second.id_number, name="b",
                             start=Month(2024, 6), end=Month(2024, 6), wage=900_000,
                             reason="漏缴")]
    got = assert_same_as_line_by_line(draft(unit, records))
    # a row per person and month (4), each with the five insurances
    assert len(got["contributions"]) == 4 and got["bills"]
    assert all("late_fee" in data for _, _, data in got["lines"])
    assert len(got["late_fees"]) == 2  # one charge per line with a late fee


def test_submitting_an_enrol_declaration_applies_it_set_based():
    unit = make_unit()
    declaration = declaration_submit(
        declaration_create(unit=unit, records=[add(n) for n in range(1, 4)], actor=UNIT),
        signed=None, actor=UNIT, today=TODAY, cutoff_day=25)
    assert declaration.status == Status.EFFECTIVE
    assert Enrolment.objects.filter(unit=unit).count() == 15
    assert not declaration.lines.filter(person__isnull=True).exists()


# --- queries do not grow with the lines -------------------------------------------------


def _queries(declaration: Declaration) -> int:
    with CaptureQueriesContext(connection) as ctx:
        declaration_apply(Declaration.objects.get(pk=declaration.pk), TODAY)
    return len(ctx.captured_queries)


def _many(kind: str, unit: Unit, count: int, offset: int) -> Declaration:
    birth = dt.date(1990, 1, 1) + dt.timedelta(days=offset)  # ID numbers of their own
    if kind == DeclarationKind.ENROL:
        return draft(unit, [add(n, id_number=person_id(n, birth=birth))
                            for n in range(count)])
    persons = [make_person(birth=birth) for _ in range(count)]
    for person in persons:
        make_enrolment(person, unit, first=Month(2024, 1))
    if kind == DeclarationKind.LEAVE:
        return draft(unit, [RemoveRecord(row=i, id_number=p.id_number, name=p.name,
                                         reason="other", end=Month(2025, 8))
                            for i, p in enumerate(persons, start=2)])
    return draft(unit, [WageRecord(row=i, id_number=p.id_number, name=p.name,
                                   wage=1_000_000) for i, p in enumerate(persons, start=2)])


@pytest.mark.parametrize("kind", [DeclarationKind.ENROL, DeclarationKind.LEAVE,
                                  DeclarationKind.WAGE])
def test_apply_costs_the_same_queries_for_30_lines_as_for_300(kind,
                                                              django_assert_max_num_queries):
    policy_at(SEPTEMBER)  # the policy table loaded beforehand
    unit = make_unit()
    few = _queries(_many(kind, unit, 30, 1))
    big = _many(kind, unit, 300, 100)
    with django_assert_max_num_queries(12):
        declaration_apply(Declaration.objects.get(pk=big.pk), TODAY)
    assert Enrolment.objects.filter(unit=unit).count() == 330 * 5
    assert _queries(_many(kind, unit, 300, 500)) == few
    assert not DeclarationLine.objects.filter(person__isnull=True).exists()
