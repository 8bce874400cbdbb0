"""Builds the demo city: units first, then persons in batches of bounded size.

Same configuration → same rows: every random choice comes from two `random.Random`
streams seeded from the seed (one for units, one for persons), never the global one,
and "today" is part of the configuration. Primary keys of units and persons are given
explicitly (1, 2, …), which is why the generator needs an empty registry.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.db import connection

from shebao.audit.services import SYSTEM, event_record
from shebao.declarations.wagewindow import window_demo_set
from shebao.pension.models import Account1992
from shebao.registry.models import (
    Enrolment,
    MedicalUnitInfo,
    Person,
    Unit,
    UnitInjuryRate,
    WageBase,
)

from . import history, imported, persons, units
from .common import mindex
from .context import demo_policy_load
from .designated import DESIGNATED_UNITS
from .staff import DemoLogin, demo_staff_ensure
from .writer import DatabaseSink, Sink

MIN_UNITS = len(DESIGNATED_UNITS) + 1
PERSONS_PER_UNIT = 60
EARLIEST_TODAY = dt.date(2020, 1, 1)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoConfig:
    persons: int
    seed: int
    today: dt.date
    units: int | None = None  # None: one unit per PERSONS_PER_UNIT persons
    batch_size: int = 10_000

    @property
    def unit_count(self) -> int:
        if self.units is not None:
            return self.units
        return max(MIN_UNITS, round(self.persons / PERSONS_PER_UNIT))


@dataclass
class DemoCounts:
    units: int = 0
    injury_rates: int = 0
    medical_infos: int = 0
    persons: int = 0
    enrolments: int = 0
    wages: int = 0
    accounts_1992: int = 0
    account_years: int = 0


class DemoError(ValueError):
    """The demo city cannot be built; the message is Chinese, for the operator."""


def registry_is_empty() -> bool:
    return not Unit.objects.exists() and not Person.objects.exists()


def demo_generate(config: DemoConfig, sink: Sink,
                  progress: Progress | None = None) -> DemoCounts:
    """Generate the city into `sink` and return how many rows each table got."""
    if config.unit_count < MIN_UNITS:
        raise DemoError(f"单位数不能少于 {MIN_UNITS} 个"
                        f"（其中 {len(DESIGNATED_UNITS)} 个为指定的演示单位）")
    if config.persons < 0:
        raise DemoError("人数不能为负数")
    if config.today < EARLIEST_TODAY:
        raise DemoError(f"“今天”不能早于 {EARLIEST_TODAY.isoformat()}：工资历史从2019缴费年度开始")
    say = progress or (lambda _message: None)
    today_index = mindex(config.today.year * 100 + config.today.month)
    policy = demo_policy_load(today_index)
    adapt_date = connection.ops.adapt_datefield_value
    adapt_datetime = connection.ops.adapt_datetimefield_value
    counts = DemoCounts()

    maker = units.UnitMaker(random.Random(f"shebao-demo:{config.seed}:units"), config.today,
                            policy.floating_for, adapt_datetime)
    unit_rows = maker.build(config.unit_count)
    with sink.batch():
        sink.insert(Unit, units.UNIT_FIELDS, unit_rows.units)
        sink.insert(UnitInjuryRate, units.INJURY_FIELDS, unit_rows.injury_rates)
        sink.insert(MedicalUnitInfo, units.MEDICAL_FIELDS, unit_rows.medical)
    counts.units = len(unit_rows.units)
    counts.injury_rates = len(unit_rows.injury_rates)
    counts.medical_infos = len(unit_rows.medical)
    say(f"单位：已生成 {counts.units:,} 个（工伤费率 {counts.injury_rates:,} 条）")

    person_maker = persons.PersonMaker(
        random.Random(f"shebao-demo:{config.seed}:persons"), config.today,
        unit_rows.demo_units, policy, adapt_date, adapt_datetime)
    del unit_rows
    sink.scratch(imported.RULE_TABLE, imported.RULE_COLUMNS,
                 imported.rule_rows(policy.account_years))
    years_sql = imported.account_years_sql(connection.vendor)
    for start in range(0, config.persons, config.batch_size):
        stop = min(config.persons, start + config.batch_size)
        _person_batch(person_maker, range(start + 1, stop + 1), sink, counts, years_sql)
        say(f"参保人：{stop:,}/{config.persons:,}（{stop * 100 // max(config.persons, 1)}%）")
    return counts


def _person_batch(maker: persons.PersonMaker, pks: range, sink: Sink,
                  counts: DemoCounts, years_sql: str) -> None:
    rows = persons.PersonRows()
    for pk in pks:
        maker.make(pk, rows)
    with sink.batch():
        sink.insert(Person, persons.PERSON_FIELDS, rows.persons)
        sink.insert(Enrolment, persons.ENROLMENT_FIELDS, rows.enrolments)
        sink.insert(WageBase, persons.WAGE_FIELDS, rows.wages)
        sink.insert(Account1992, history.ACCOUNT_1992_FIELDS, rows.accounts_1992)
        sink.scratch(imported.SEED_TABLE, imported.SEED_COLUMNS, rows.account_seeds)
        counts.account_years += sink.derive(years_sql, {"lo": pks.start, "hi": pks.stop - 1})
    counts.persons += len(rows.persons)
    counts.enrolments += len(rows.enrolments)
    counts.wages += len(rows.wages)
    counts.accounts_1992 += len(rows.accounts_1992)


@dataclass
class DemoResult:
    counts: DemoCounts
    logins: list[tuple[DemoLogin, bool]]
    seconds: float


def demo_city_create(config: DemoConfig, progress: Progress | None = None) -> DemoResult:
    """Build the demo city into the (empty) database, create the demo logins, audit it."""
    if not registry_is_empty():
        raise DemoError("数据库中已有单位或参保人数据，演示数据只能生成到空数据库中")
    started = time.monotonic()
    sink = DatabaseSink()
    try:
        with sink.bulk():
            counts = demo_generate(config, sink, progress)
    finally:
        sink.close()
    sink.reset_sequences([Unit, Person])
    logins = demo_staff_ensure()
    window_demo_set(config.today, SYSTEM)  # so that the city's units can declare wages now
    event_record(actor=SYSTEM, action="demo_create", object_type="demo",
                 object_ref=str(config.seed),
                 after={"seed": config.seed, "today": config.today.isoformat(),
                        **asdict(counts)})
    return DemoResult(counts, logins, time.monotonic() - started)
