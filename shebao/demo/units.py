"""Units of the demo city (参保单位) with their work-injury rates and medical copies."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from shebao.lib.idnumbers import USCC_ALPHABET, org_code_check_char, uscc_check_char
from shebao.registry.choices import (
    District,
    EnrolmentMode,
    EnterpriseSize,
    OnlineStatus,
    SettlementCycle,
    UnitType,
)
from shebao.registry.models import ALL_INSURANCES

from . import naming
from .common import Weighted, mindex, month_start, stamp, yyyymm
from .designated import (
    DESIGNATED_UNITS,
    GROUP_NUMBER,
    NOT_YET_OPEN_NUMBERS,
    DesignatedUnit,
    Failure,
)

# Rough shares of payment districts among Beijing's units.
DISTRICTS = Weighted([
    (District.CHAOYANG.value, 20), (District.HAIDIAN.value, 18), (District.DONGCHENG.value, 6),
    (District.XICHENG.value, 8), (District.FENGTAI.value, 8), (District.SHIJINGSHAN.value, 3),
    (District.MENTOUGOU.value, 1), (District.FANGSHAN.value, 3), (District.TONGZHOU.value, 6),
    (District.SHUNYI.value, 5), (District.CHANGPING.value, 6), (District.DAXING.value, 5),
    (District.HUAIROU.value, 1.5), (District.PINGGU.value, 1), (District.MIYUN.value, 1.5),
    (District.YANQING.value, 1), (District.BDA.value, 5),
])
UNIT_TYPES = Weighted([
    (UnitType.ENTERPRISE.value, 85), (UnitType.INSTITUTION.value, 4),
    (UnitType.GOVERNMENT.value, 2), (UnitType.SOCIAL_ORG.value, 1.5),
    (UnitType.PRIVATE_NONPROFIT.value, 3), (UnitType.INDIVIDUAL_BUSINESS.value, 4.5),
])
# Registration authority and organization category: characters 1–2 of a USCC.
USCC_PREFIX = {
    UnitType.ENTERPRISE: "91", UnitType.GOVERNMENT: "11", UnitType.INSTITUTION: "12",
    UnitType.SOCIAL_ORG: "51", UnitType.PRIVATE_NONPROFIT: "52",
    UnitType.INDIVIDUAL_BUSINESS: "92",
}
# [decision] The development area has no division code of its own (District.BDA is
# 110199, ours); its units' credit codes carry Daxing's 110115, where it lies.
USCC_AREA = {d.value: d.value for d in District} | {District.BDA.value: "110115"}
# Old three-class scheme before 2015-10: classes 1–2 → 1, 3–5 → 2, 6–8 → 3.
OLD_CLASS = {1: 1, 2: 1, 3: 2, 4: 2, 5: 2, 6: 3, 7: 3, 8: 3}
SCHEME_2015 = mindex(201510)
INJURY_FROM = mindex(200401)
ONLINE_FROM = mindex(201306)
MEDICAL_WRONG_TYPE = UnitType.PRIVATE_NONPROFIT.value

UNIT_FIELDS = (
    "id", "number", "name", "uscc", "org_code", "registration_no", "district", "unit_type",
    "size", "settlement_cycle", "enrolment_mode", "parent", "insurances", "has_violation",
    "online_status", "online_opened_at", "address", "contact_name", "contact_phone",
    "bank_name", "bank_account", "created_at",
)
INJURY_FIELDS = ("unit", "first_month", "last_month", "injury_class", "floating_pct")
MEDICAL_FIELDS = ("unit", "registration_no", "district", "unit_type", "org_code", "synced_at")


@dataclass(slots=True)
class DemoUnit:
    """What person generation needs to know about a unit."""

    pk: int
    number: str
    reg: int  # month index of registration
    insurances: tuple[str, ...]
    weight: float
    wage_level: float


@dataclass
class UnitRows:
    units: list[tuple[object, ...]] = field(default_factory=list)
    injury_rates: list[tuple[object, ...]] = field(default_factory=list)
    medical: list[tuple[object, ...]] = field(default_factory=list)
    demo_units: list[DemoUnit] = field(default_factory=list)


FloatingLookup = Callable[[int], tuple[int, ...]]


class UnitMaker:
    """Builds every unit in number order; `adapt` turns a datetime into a DB value."""

    def __init__(self, rng: random.Random, today: dt.date, floating: FloatingLookup,
                 adapt: Callable[[dt.datetime], object]) -> None:
        self.rng = rng
        self.today = mindex(today.year * 100 + today.month)
        self.synced = adapt(stamp(today))
        self.floating = floating
        self.adapt = adapt
        self.names: set[str] = set()
        self.org_bodies: set[str] = set()
        self.reg_seq: dict[str, int] = {}
        self.legacy_done = False  # whether the first regular unit (code-only) is made
        self.rows = UnitRows()

    def build(self, count: int) -> UnitRows:
        numbers = self._numbers(count)
        designated = {d.number: d for d in DESIGNATED_UNITS}
        # Designated units get a typical headcount weight: enough staff to show things.
        weights = [1.0 if n in designated else math.exp(self.rng.gauss(0.0, 1.1))
                   for n in numbers]
        sizes = self._sizes(weights)
        group_pk = numbers.index(GROUP_NUMBER) + 1
        for i, number in enumerate(numbers):
            self._unit(i + 1, number, designated.get(number), sizes[i], weights[i], group_pk)
            if i == len(DESIGNATED_UNITS):
                self.legacy_done = True
        # Parents before branches, so the rows insert even where keys are checked at once.
        self.rows.units.sort(key=lambda row: row[11] is not None)
        return self.rows

    def _numbers(self, count: int) -> list[str]:
        """Designated numbers first, then 8-digit numbers with random gaps."""
        numbers = [d.number for d in DESIGNATED_UNITS]
        current = 10000100
        while len(numbers) < count:
            current += self.rng.randint(1, 9)
            numbers.append(str(current))
        return numbers

    def _sizes(self, weights: list[float]) -> list[str]:
        """Enterprise size by rank of headcount weight: 3% large, 12% medium, 45% small."""
        order = sorted(range(len(weights)), key=lambda i: -weights[i])
        sizes = [EnterpriseSize.MICRO.value] * len(weights)
        n = len(weights)
        for rank, i in enumerate(order):
            share = rank / n
            sizes[i] = (EnterpriseSize.LARGE if share < 0.03 else EnterpriseSize.MEDIUM
                        if share < 0.15 else EnterpriseSize.SMALL if share < 0.6
                        else EnterpriseSize.MICRO).value
        return sizes

    def _unit(self, pk: int, number: str, special: DesignatedUnit | None, size: str,
              weight: float, group_pk: int) -> None:
        rng = self.rng
        district = DISTRICTS.pick(rng)
        if special:
            unit_type = UnitType.ENTERPRISE.value
            reg = mindex(rng.randint(2005, 2018) * 100 + rng.randint(1, 12))
            name, cls = special.name, naming.INDUSTRY_CLASS[special.industry]
        else:
            unit_type = UNIT_TYPES.pick(rng)
            reg = self._reg_month() if self.legacy_done else self.rng.randint(
                mindex(199601), mindex(201012))
            name, cls = self._name(unit_type, district)
        org_body = self._org_body(reg)
        org_code = org_body + org_code_check_char(org_body)
        uscc = None
        # A few older units have only an organization code; the first regular unit always.
        legacy = reg < mindex(201601) and (not self.legacy_done or rng.random() < 0.08)
        if special or not legacy:
            body = USCC_PREFIX[UnitType(unit_type)] + USCC_AREA[district] + org_code
            uscc = body + uscc_check_char(body)
        failure = special.failure if special else Failure.NONE
        registration_no = self._registration_no(district, reg)
        status, opened = self._online(number, failure, reg)
        bank_name, account = naming.bank(rng, district)
        insurances = ALL_INSURANCES
        if failure == Failure.MISSING_INSURANCE:
            insurances = ",".join(i for i in ALL_INSURANCES.split(",") if i != "unemployment")
        secondary = failure == Failure.SECONDARY
        created = stamp(month_start(reg) + dt.timedelta(days=rng.randint(0, 27)))
        self.rows.units.append((
            pk, number, name, uscc, org_code, registration_no, district, unit_type, size,
            (SettlementCycle.QUARTERLY if failure == Failure.QUARTERLY_CYCLE
             else SettlementCycle.MONTHLY).value,
            (EnrolmentMode.SECONDARY if secondary else EnrolmentMode.INDEPENDENT).value,
            group_pk if secondary else None, insurances, failure == Failure.VIOLATION,
            status, opened, naming.office_address(rng, district),
            naming.person_name(rng, rng.choice("MF")),
            naming.mobile(rng) if rng.random() < 0.6 else naming.landline(rng),
            bank_name, account, self.adapt(created),
        ))
        self._injury(pk, reg, cls)
        self.rows.medical.append(self._medical(pk, failure, registration_no, district,
                                               unit_type, org_code))
        level = math.exp(rng.gauss(0.0, 0.25)) * (1.15 if cls == 1 else 1.0)
        self.rows.demo_units.append(DemoUnit(pk, number, reg, tuple(insurances.split(",")),
                                             weight, level))

    def _reg_month(self) -> int:
        roll = self.rng.random()
        first, last = ((199201, 199512) if roll < 0.08 else (199601, 200412) if roll < 0.25
                       else (200501, 201512) if roll < 0.6 else (201601, 0))
        high = self.today - 3 if last == 0 else mindex(last)
        return self.rng.randint(mindex(first), high)

    def _name(self, unit_type: str, district: str) -> tuple[str, int]:
        for _ in range(20):
            if unit_type == UnitType.ENTERPRISE:
                name, cls = naming.enterprise_name(self.rng)
            else:
                name = naming.other_unit_name(self.rng, unit_type, district)
                cls = 1 if unit_type != UnitType.INDIVIDUAL_BUSINESS else 3
            if name not in self.names:
                self.names.add(name)
                return name, cls
        name, cls = naming.enterprise_name(self.rng)
        name = f"{name}（{len(self.names)}）"
        self.names.add(name)
        return name, cls

    def _org_body(self, reg: int) -> str:
        """8 body chars: digits for old codes, 'MA0…' for codes issued with a USCC."""
        while True:
            if reg >= mindex(201601):
                body = "MA0" + "".join(self.rng.choice(USCC_ALPHABET) for _ in range(5))
            else:
                body = str(self.rng.randint(1, 8)) + f"{self.rng.randrange(10**7):07d}"
            if body not in self.org_bodies:
                self.org_bodies.add(body)
                return body

    def _registration_no(self, district: str, reg: int) -> str:
        """District code, two-digit year, sequence within the district: unique per unit."""
        seq = self.reg_seq.get(district, self.rng.randint(100, 900)) + self.rng.randint(1, 5)
        self.reg_seq[district] = seq
        return f"{district}{(reg // 12) % 100:02d}{seq:06d}"

    def _online(self, number: str, failure: str, reg: int) -> tuple[str, object]:
        if failure not in (Failure.NONE, Failure.VIOLATION) or number in NOT_YET_OPEN_NUMBERS:
            return OnlineStatus.CLOSED.value, None
        first = max(reg + 1, ONLINE_FROM)
        month = self.rng.randint(min(first, self.today - 1), self.today - 1)
        opened = self.adapt(stamp(month_start(month) + dt.timedelta(
            days=self.rng.randint(4, 21))))  # counters take applications on the 5th–22nd
        if failure == Failure.VIOLATION:
            return OnlineStatus.SUSPENDED.value, opened
        return OnlineStatus.OPEN.value, opened

    def _injury(self, pk: int, reg: int, cls: int) -> None:
        """Class 1–3 until 2015-09, re-classified to 1–8 from 2015-10; floating factor."""
        rng = self.rng
        start = max(reg, INJURY_FROM)
        if start < SCHEME_2015:
            self.rows.injury_rates.append((pk, yyyymm(start), 201509, OLD_CLASS[cls], 100))
            start = SCHEME_2015
        allowed = self.floating(cls)
        pct = 100 if rng.random() < 0.6 else rng.choice(allowed)
        if self.today - start >= 24 and rng.random() < 0.3:
            change = start + rng.randint(12, self.today - start - 1)
            self.rows.injury_rates.append((pk, yyyymm(start), yyyymm(change - 1), cls, pct))
            start, pct = change, rng.choice(allowed)
        self.rows.injury_rates.append((pk, yyyymm(start), None, cls, pct))

    def _medical(self, pk: int, failure: str, registration_no: str, district: str,
                 unit_type: str, org_code: str) -> tuple[object, ...]:
        """The medical system's copy: equal, except one field for the designated units."""
        if failure == Failure.MEDICAL_REGISTRATION_NO:
            tail = (int(registration_no[-6:]) + 1 + self.rng.randint(0, 8)) % 1_000_000
            registration_no = f"{registration_no[:-6]}{tail:06d}"
        elif failure == Failure.MEDICAL_DISTRICT:
            district = self.rng.choice([d.value for d in District if d.value != district])
        elif failure == Failure.MEDICAL_UNIT_TYPE:
            unit_type = MEDICAL_WRONG_TYPE
        elif failure == Failure.MEDICAL_ORG_CODE:
            body = self._org_body(mindex(201512))  # an old code the medical side kept
            org_code = body + org_code_check_char(body)
        return (pk, registration_no, district, unit_type, org_code, self.synced)
