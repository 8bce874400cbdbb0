"""Persons of the demo city (参保人) with their enrolment spells, wages and old accounts."""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field

from shebao.lib.idnumbers import id_check_char
from shebao.registry.choices import EndReason, Hukou, StartReason, WageSource

from . import history, imported, names, naming
from .common import Weighted, mindex, month_start, stamp, yyyymm
from .context import IMPORTED_LAST_YEAR, DemoPolicy
from .units import DISTRICTS, DemoUnit

PERSON_FIELDS = ("id", "ref", "id_number", "name", "sex", "birth_date", "hukou", "phone",
                 "address", "created_at")
ENROLMENT_FIELDS = ("person", "unit", "insurance", "first_month", "last_month",
                    "start_reason", "end_reason")
WAGE_FIELDS = ("person", "unit", "policy_year", "wage", "source", "recorded_at")

MONTHLY_DETAIL_FROM = mindex(200411)  # the transcript's earliest month
AGES = Weighted([(age, 2.0 if age < 22 else 8.0 if age < 30 else 10.0 if age < 40 else
                  8.0 if age < 50 else 6.0 if age < 55 else 4.5 if age < 60 else 2.5)
                 for age in range(18, 67)])
AREAS_BEIJING = Weighted([(a, float(w)) for a, w in names.BEIJING_AREAS])
AREAS_OTHER = Weighted([(a, float(w)) for a, w in names.OTHER_AREAS])
AREA_INDEX = {a: i for i, (a, _) in enumerate(names.BEIJING_AREAS + names.OTHER_AREAS)}
LEAVE_REASONS = Weighted([
    (EndReason.CONTRACT_TERMINATED.value, 35), (EndReason.CONTRACT_ENDED.value, 30),
    (EndReason.TRANSFER_OUT.value, 25), (EndReason.OTHER.value, 8),
    (EndReason.DECEASED.value, 2),
])
CHANGE_REASONS = Weighted([
    (EndReason.CONTRACT_TERMINATED.value, 45), (EndReason.CONTRACT_ENDED.value, 35),
    (EndReason.TRANSFER_OUT.value, 15), (EndReason.OTHER.value, 5),
])
NEW_HIRE = WageSource.NEW_HIRE.value
DECLARED = WageSource.DECLARED.value
RURAL = Hukou.RURAL.value
URBAN = Hukou.URBAN.value
ID_DAYS = 70 * 366  # birth dates the ID sequence counters cover
SEQ_SLOTS = 499  # sequence codes per sex and (area, birth date): 001–997 odd, 002–998 even


@dataclass
class PersonRows:
    persons: list[tuple[object, ...]] = field(default_factory=list)
    enrolments: list[tuple[object, ...]] = field(default_factory=list)
    wages: list[tuple[object, ...]] = field(default_factory=list)
    accounts_1992: list[tuple[object, ...]] = field(default_factory=list)
    account_seeds: list[tuple[object, ...]] = field(default_factory=list)


@dataclass(slots=True)
class Spell:
    unit: DemoUnit
    first: int  # month index
    last: int | None
    start_reason: str
    end_reason: str = ""


def _experience(age: int) -> float:
    """Wage relative to a mid-career worker's, by age."""
    steps = ((23, 0.65), (27, 0.8), (32, 0.92), (50, 1.0))
    return next((factor for below, factor in steps if age < below), 0.95)


class UnitPicker:
    """Weighted choice of an employer registered by a given month."""

    def __init__(self, units: list[DemoUnit]) -> None:
        self.weighted = Weighted([(u, u.weight) for u in units])
        self.by_reg = sorted(units, key=lambda u: (u.reg, u.pk))
        self.regs = [u.reg for u in self.by_reg]

    def pick(self, rng: random.Random, by: int, other_than: DemoUnit | None) -> DemoUnit | None:
        for _ in range(6):
            unit = self.weighted.pick(rng)
            if unit.reg <= by and unit is not other_than:
                return unit
        known = bisect.bisect_right(self.regs, by)
        for _ in range(4):
            if known == 0:
                return None
            unit = self.by_reg[rng.randrange(known)]
            if unit is not other_than:
                return unit
        return None


class PersonMaker:
    """Makes persons one after another; the same seed and order give the same rows."""

    def __init__(self, rng: random.Random, today: dt.date, units: list[DemoUnit],
                 policy: DemoPolicy, adapt_date: Callable[[dt.date], object],
                 adapt_datetime: Callable[[dt.datetime], object]) -> None:
        self.rng = rng
        self.today = today
        self.now = mindex(today.year * 100 + today.month)
        self.picker = UnitPicker(units)
        self.policy = policy
        self.adapt_date = adapt_date
        self.adapt_datetime = adapt_datetime
        self.first_birth = today.toordinal() - ID_DAYS
        self.seq_used = array("H", bytes(2 * 2 * len(AREA_INDEX) * ID_DAYS))
        self._stamps: dict[int, object] = {}

    def make(self, pk: int, rows: PersonRows) -> None:
        rng = self.rng
        sex = "M" if rng.random() < 0.52 else "F"
        local = rng.random() < 0.75
        rural = rng.random() < (0.12 if local else 0.45)
        birth = dt.date.fromordinal(self.today.toordinal() - AGES.pick(rng) * 365
                                    - rng.randint(0, 364))
        area = (AREAS_BEIJING if local else AREAS_OTHER).pick(rng)
        if birth.year >= 1998:
            area = names.COUNTY_TO_DISTRICT.get(area, area)  # counties had become districts
        id_number, birth = self._id_number(area, birth, sex)
        ratio = math.exp(rng.gauss(-0.15, 0.45)) * _experience(self.today.year - birth.year)
        career = self._career_start(birth)
        spells = self._spells(birth, sex, career)
        first_seen = max(career, history.FIRST_1992)
        created = stamp(month_start(first_seen) + dt.timedelta(days=rng.randint(0, 27)))
        rows.persons.append((
            pk, f"{rng.getrandbits(64):016x}", id_number, naming.person_name(rng, sex), sex,
            self.adapt_date(birth), RURAL if rural else URBAN,
            naming.mobile(rng), naming.home_address(rng, DISTRICTS.pick(rng)),
            self.adapt_datetime(created),
        ))
        for spell in spells:
            self._enrolments(pk, spell, rows)
            self._wages(pk, spell, ratio, rows)
        self._old_accounts(pk, career, ratio, birth, spells, rows)

    def _id_number(self, area: str, birth: dt.date, sex: str) -> tuple[str, dt.date]:
        """A unique 18-digit ID and the birth date in it.

        A counter per (area, birth date, sex) picks the sequence code, so no number is
        handed out twice without keeping the numbers themselves in memory.
        """
        while True:
            day = birth.toordinal() - self.first_birth
            key = ((AREA_INDEX[area] * ID_DAYS + day) << 1) | (sex == "M")
            count = self.seq_used[key]
            if count < SEQ_SLOTS:
                break
            birth += dt.timedelta(days=1)  # a full day: a neighbour's birthday will do
        self.seq_used[key] = count + 1
        slot = (count * 37 + key * 7919) % SEQ_SLOTS
        seq = slot * 2 + (1 if sex == "M" else 2)
        body = f"{area}{birth:%Y%m%d}{seq:03d}"
        return body + id_check_char(body), birth

    def _career_start(self, birth: dt.date) -> int:
        start = mindex(birth.year * 100 + birth.month) + self.rng.randint(17 * 12 + 6, 23 * 12)
        if birth.year >= 1975:
            start = max(start, mindex(199601))  # only the older have 1992–1995 accounts
        return min(start, self.now - 1)

    def _spells(self, birth: dt.date, sex: str, career: int) -> list[Spell]:
        rng = self.rng
        retire_age = 60 if sex == "M" else 55 if rng.random() < 0.4 else 50
        retire = mindex(birth.year * 100 + birth.month) + retire_age * 12
        start = max(career, MONTHLY_DETAIL_FROM)
        end, end_reason = self.now, ""
        if retire < self.now:
            end, end_reason = retire, EndReason.RETIRED.value
        elif rng.random() < 0.12 and start < self.now:
            end, end_reason = rng.randint(start, self.now - 1), LEAVE_REASONS.pick(rng)
        if end < start:
            return []
        reason = StartReason.NEW.value
        if career < MONTHLY_DETAIL_FROM and rng.random() < 0.4:
            start = min(end, start + rng.randint(0, 150))
            reason = StartReason.TRANSFER_IN.value  # came to Beijing later
        cuts: list[tuple[int, int, str]] = [(start, end, reason)]
        if end - start >= 36 and rng.random() < 0.45:
            e1 = rng.randint(start + 12, end - 12)
            gap = 0 if rng.random() < 0.6 else rng.randint(1, 18)
            if e1 + 1 + gap <= end:
                second = StartReason.TRANSFER_IN.value if gap == 0 else StartReason.RESUME.value
                cuts = [(start, e1, reason), (e1 + 1 + gap, end, second)]
        return self._assign_units(cuts, end_reason)

    def _assign_units(self, cuts: list[tuple[int, int, str]], end_reason: str) -> list[Spell]:
        spells: list[Spell] = []
        previous = None
        for i, (first, last, reason) in enumerate(cuts):
            unit = self.picker.pick(self.rng, first, previous)
            if unit is None:
                continue
            final = i == len(cuts) - 1
            if final and not end_reason:
                spells.append(Spell(unit, first, None, reason))
            else:
                why = end_reason if final else CHANGE_REASONS.pick(self.rng)
                spells.append(Spell(unit, first, last, reason, why))
            previous = unit
        return spells

    def _enrolments(self, pk: int, spell: Spell, rows: PersonRows) -> None:
        first = yyyymm(spell.first)
        last = yyyymm(spell.last) if spell.last is not None else None
        for insurance in spell.unit.insurances:
            rows.enrolments.append((pk, spell.unit.pk, insurance, first, last,
                                    spell.start_reason, spell.end_reason))

    def _wages(self, pk: int, spell: Spell, ratio: float, rows: PersonRows) -> None:
        """One wage per policy year of the spell from 2019: new hire first, then declared."""
        rng = self.rng
        last = spell.last if spell.last is not None else self.now
        drift = 1.0
        for year in self.policy.wage_years:
            if year.last < spell.first or year.first > last:
                continue
            drift *= math.exp(rng.gauss(0.01, 0.04))
            wage = int(year.average_wage * ratio * spell.unit.wage_level * drift)
            wage = max(wage if rng.random() < 0.25 else wage // 100 * 100, 220_000)
            if year.first <= spell.first:
                source, at = NEW_HIRE, spell.first
            else:
                source, at = DECLARED, year.first - 1
            rows.wages.append((pk, spell.unit.pk, year.label, wage, source, self._stamp(at)))

    def _stamp(self, month: int) -> object:
        """Recorded on the 15th of a month (cached: a few hundred distinct values)."""
        value = self._stamps.get(month)
        if value is None:
            value = self.adapt_datetime(stamp(month_start(month) + dt.timedelta(days=14)))
            self._stamps[month] = value
        return value

    def _old_accounts(self, pk: int, career: int, ratio: float, birth: dt.date,
                      spells: list[Spell], rows: PersonRows) -> None:
        """The 1992–1995 account and the seed of the imported years (see `imported`)."""
        if career > mindex(IMPORTED_LAST_YEAR * 100 + 12):
            return
        opening = cumulative = 0
        if birth.year < 1975 and career <= history.LAST_1995:
            row, opening, cumulative = history.account_1992(pk, career, ratio, self.rng)
            rows.accounts_1992.append(row)
        pension = [(s.first, s.last if s.last is not None else self.now)
                   for s in spells if "pension" in s.unit.insurances]
        seed = imported.seed_row(pk, career, ratio, opening, cumulative, pension,
                                 self.rng.randrange(1, imported.LCG_MODULUS))
        if seed is not None:
            rows.account_seeds.append(seed)
