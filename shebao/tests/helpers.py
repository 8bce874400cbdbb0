"""Plain `make_*` helpers for tests: valid unit identifiers, units, people, enrolments
(valid ID numbers come from `shebao.lib.idnumbers.valid_id_number`).

Named personas (unit A with employees, unit B as outsider, a person, staff by role) are
built from these in each app's tests and in shebao/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import itertools

from shebao.lib.idnumbers import org_code_check_char, uscc_check_char, valid_id_number
from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER
from shebao.registry.choices import Hukou, Sex, StartReason
from shebao.registry.models import Enrolment, Person, Unit, UnitInjuryRate, WageBase

_seq = itertools.count(1)
EARLIEST = Month(2004, 1)


def valid_org_code(serial: int) -> str:
    body = f"{serial:08d}"
    return body + org_code_check_char(body)


def valid_uscc(serial: int, *, division: str = "110105") -> str:
    org = valid_org_code(serial)
    body = f"91{division}{org}"
    return body + uscc_check_char(body)


def make_unit(*, number: str | None = None, injury_class: int = 1, floating_pct: int = 100,
              size: str = "small", injury_from: Month = EARLIEST,
              **fields: object) -> Unit:
    """A unit with a work-injury rate from `injury_from` (re-classified at 2015-10)."""
    n = next(_seq)
    uscc = valid_uscc(n)
    defaults: dict[str, object] = {
        "number": number or f"{10000000 + n}",
        "name": f"北京测试{n}科技有限公司",
        "uscc": uscc,
        "org_code": uscc[8:17],
        "registration_no": f"110105{n:06d}",
        "district": "110105",
        "unit_type": "enterprise",
        "size": size,
    }
    defaults.update(fields)
    unit = Unit.objects.create(**defaults)
    scheme_change = Month(2015, 10)
    if injury_from < scheme_change:
        UnitInjuryRate.objects.create(unit=unit, first_month=int(injury_from),
                                      last_month=int(scheme_change.add(-1)),
                                      injury_class=min(injury_class, 3), floating_pct=100)
        injury_from = scheme_change
    UnitInjuryRate.objects.create(unit=unit, first_month=int(injury_from),
                                  injury_class=injury_class, floating_pct=floating_pct)
    return unit


def make_person(*, birth: dt.date = dt.date(1985, 6, 15), hukou: str = Hukou.URBAN,
                name: str | None = None, **fields: object) -> Person:
    n = next(_seq)
    serial = n * 2 + 1  # odd: male
    id_number = str(fields.pop("id_number", None) or valid_id_number(birth, serial))
    return Person.objects.create(
        id_number=id_number, name=name or f"测试{n}", sex=Sex.MALE, birth_date=birth,
        hukou=hukou, **fields,
    )


def make_enrolment(person: Person, unit: Unit, *, first: Month, last: Month | None = None,
                   wage: int | None = None, policy_years: tuple[int, ...] = ()) -> None:
    """Enrol in every insurance of the unit; optionally declare a wage (fen) per year."""
    for ins in ORDER:
        if ins.value in unit.insurance_set:
            Enrolment.objects.create(person=person, unit=unit, insurance=ins,
                                     first_month=int(first),
                                     last_month=int(last) if last else None,
                                     start_reason=StartReason.NEW)
    if wage is not None:
        for year in policy_years:
            WageBase.objects.create(person=person, unit=unit, policy_year=year, wage=wage,
                                    source="declared")
