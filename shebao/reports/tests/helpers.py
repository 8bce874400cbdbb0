"""Test data of the query tests: a unit's people, current and former, with wages and
1992–1995 accounts, built with the shared `make_*` factories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shebao.lib.periods import Month
from shebao.pension.models import Account1992
from shebao.registry.choices import EndReason, WageSource
from shebao.registry.models import Enrolment, Person, Unit, WageBase
from shebao.tests.helpers import make_enrolment, make_person

TODAY = dt.date(2025, 3, 10)  # policy year 2024 (2024-07 … 2025-06)
YEAR = 2024


@dataclass
class Staff:
    current: Person  # enrolled since 2019-03, wage declared for 2024 (above the upper limit)
    former: Person  # left at 2023-06, 1992–1995 account
    newcomer: Person  # enrolled 2024-09, first month's wage (below the lower limit)


def staff_of(unit: Unit, *, prefix: str = "") -> Staff:
    current = make_person(name=f"{prefix}王现职")
    make_enrolment(current, unit, first=Month(2019, 3))
    WageBase.objects.create(person=current, unit=unit, policy_year=YEAR, wage=5_000_000,
                            source=WageSource.DECLARED)
    former = make_person(name=f"{prefix}李离职", birth=dt.date(1962, 4, 1))
    make_enrolment(former, unit, first=Month(2010, 1), last=Month(2023, 6))
    Enrolment.objects.filter(person=former).update(end_reason=EndReason.CONTRACT_TERMINATED)
    WageBase.objects.create(person=former, unit=unit, policy_year=2022, wage=900_000,
                            source=WageSource.DECLARED)
    Account1992.objects.create(person=former, personal_part=123_456,
                               unit_transferred_part=65_432, months=40)
    newcomer = make_person(name=f"{prefix}赵新人")
    make_enrolment(newcomer, unit, first=Month(2024, 9))
    WageBase.objects.create(person=newcomer, unit=unit, policy_year=YEAR, wage=300_000,
                            source=WageSource.NEW_HIRE)
    return Staff(current, former, newcomer)
