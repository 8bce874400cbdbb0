"""员工基本信息: the unit's people, current and former, each with their enrolment in
every insurance at this unit (status and months)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shebao.lib.periods import Month
from shebao.policy.insurances import ORDER
from shebao.registry.choices import EndReason
from shebao.registry.models import Enrolment, Person, Unit

from ..filters import Filters
from ..scope import unit_enrolments, unit_people
from ..tables import Column, Listing, Query, Row

COLUMNS = (
    Column("name", "姓名", width=10),
    Column("id_number", "公民身份号码", width=21),
    Column("sex", "性别", width=6),
    Column("hukou", "户口性质", width=8),
    Column("status", "人员状态", width=8),
    Column("first", "本单位参保起始", "month", width=12),
    *(Column(ins.value, str(ins.label), width=24) for ins in ORDER),
)
END_REASONS = dict(EndReason.choices)


def spell_text(spell: Enrolment | None, month: Month) -> str:
    """An insurance's latest enrolment at the unit, as read in `month`."""
    if spell is None:
        return "未参保"
    first = Month.from_int(spell.first_month)
    if spell.last_month is None or spell.last_month >= int(month):
        if first > month:
            return f"待生效（{first}起）"
        until = f"至{Month.from_int(spell.last_month)}" if spell.last_month else "起"
        return f"参保中（{first}{until}）"
    reason = END_REASONS.get(spell.end_reason, "")
    return f"已停保（{first}至{Month.from_int(spell.last_month)}" \
           f"{'，' + reason if reason else ''}）"


def enrolments_of(unit: Unit, people: list[Person]) -> dict[int, list[Enrolment]]:
    """Each person's enrolments at the unit, oldest first: one query."""
    spells: dict[int, list[Enrolment]] = defaultdict(list)
    for spell in unit_enrolments(unit).filter(person__in=people).order_by(
            "person_id", "first_month", "id"):
        spells[spell.person_id].append(spell)
    return spells


def _rows(unit: Unit, filters: Filters, people: list[Person]) -> list[Row]:
    spells = enrolments_of(unit, people)
    rows = []
    for person in people:
        mine = spells.get(person.pk, [])
        latest = {s.insurance: s for s in mine}  # oldest first: the last one wins
        current = any(s.last_month is None or s.last_month >= int(filters.month)
                      for s in mine)
        row: Row = {"_ref": person.ref, "name": person.name, "id_number": person.id_number,
                    "sex": person.get_sex_display(), "hukou": person.get_hukou_display(),
                    "status": "在职" if current else "已减员",
                    "first": min((s.first_month for s in mine), default=None)}
        for ins in ORDER:
            row[ins.value] = spell_text(latest.get(ins.value), filters.month)
        rows.append(row)
    return rows


def people_select(unit: Unit, filters: Filters) -> Listing:
    people = unit_people(unit, filters).only(
        "ref", "id_number", "name", "sex", "hukou")

    def summary(count: int) -> str:
        if not count or filters.status:
            return f"共 {count:,} 人"
        current = unit_people(unit, Filters(person=filters.person, status="current",
                                             today=filters.today)).count()
        return f"共 {count:,} 人，其中在职 {current:,} 人"

    return Listing(people, lambda chunk: _rows(unit, filters, chunk), summary=summary)


def _empty(filters: Filters) -> str:
    if filters.person or filters.status:
        return "没有符合条件的人员，请调整查询条件。"
    return "本单位还没有参保人员：办理增员后，人员即列于此。"


QUERY = Query(
    kind="people", title="员工基本信息", columns=COLUMNS, select=people_select,
    filters=("person", "status"), empty=_empty, wide=True,
    note="本单位现有和曾有的参保人员，及其在本单位各险种的参保状态和起止年月。"
         "点击姓名查看该人员在本单位的全部参保记录。",
)


def person_spells(unit: Unit, person: Person) -> list[dict[str, Any]]:
    """Every enrolment of one of the unit's people at the unit, for the person page."""
    return [{"insurance": s.get_insurance_display(), "first": Month.from_int(s.first_month),
             "last": Month.from_int(s.last_month) if s.last_month else None,
             "start_reason": s.get_start_reason_display(),
             "end_reason": s.get_end_reason_display() if s.end_reason else "",
             "open": s.last_month is None}
            for s in unit_enrolments(unit).filter(person=person).order_by(
                "first_month", "insurance")]
