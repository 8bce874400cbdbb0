"""What an effective declaration changes: enrolments, wage bases, back-payment rows.

Called only from `services` inside the transaction that makes a declaration effective.
Registry writes go through the registry's tables; contributions through the engine.
"""

from __future__ import annotations

import datetime as dt

from shebao.contributions.backpay import backpay_quote
from shebao.contributions.models import Contribution
from shebao.contributions.models import Kind as ContributionKind
from shebao.contributions.settlement import bills_refresh
from shebao.lib.idnumbers import id_birth_date, id_sex
from shebao.lib.periods import Month, month_range
from shebao.policy.insurances import ORDER
from shebao.policy.selectors import policy_at
from shebao.registry.choices import WageSource
from shebao.registry.models import Enrolment, Person, Unit, WageBase

from .models import DeclarationLine


def person_for_line(line: DeclarationLine) -> Person:
    person = Person.objects.filter(id_number=line.id_number).first()
    if person is not None:
        return person
    return Person.objects.create(
        id_number=line.id_number, name=line.name, sex=id_sex(line.id_number),
        birth_date=id_birth_date(line.id_number), hukou=line.data["hukou"],
        phone=line.data.get("phone", ""),
    )


def enrol_apply(unit: Unit, line: DeclarationLine) -> None:
    """增员: open an enrolment per insurance of the unit from the start month; the first
    full month's wage becomes the base of that policy year (new hires)."""
    person = person_for_line(line)
    start = Month.parse(line.data["start"])
    for ins in ORDER:
        if ins.value in unit.insurance_set:
            Enrolment.objects.create(person=person, unit=unit, insurance=ins,
                                     first_month=int(start), start_reason=line.data["reason"])
    year = policy_at(start).year_label
    WageBase.objects.update_or_create(
        person=person, unit=unit, policy_year=year,
        defaults={"wage": line.data["wage"], "source": WageSource.NEW_HIRE})
    line.person = person
    line.save(update_fields=["person"])


def leave_apply(unit: Unit, line: DeclarationLine) -> None:
    """减员: close the person's open enrolments in this unit after the last month."""
    person = Person.objects.get(id_number=line.id_number)
    Enrolment.objects.filter(person=person, unit=unit, last_month__isnull=True).update(
        last_month=int(Month.parse(line.data["end"])), end_reason=line.data["reason"])
    line.person = person
    line.save(update_fields=["person"])


def wage_apply(unit: Unit, line: DeclarationLine, policy_year: int) -> None:
    """缴费工资申报: the declared wage is the base of the policy year (replacing a 110%
    default; settled months of that year are corrected by re-settlement or 补差)."""
    person = Person.objects.get(id_number=line.id_number)
    WageBase.objects.update_or_create(
        person=person, unit=unit, policy_year=policy_year,
        defaults={"wage": line.data["wage"], "source": WageSource.DECLARED})
    line.person = person
    line.save(update_fields=["person"])


def backpay_apply(unit: Unit, line: DeclarationLine, today: dt.date) -> None:
    """补缴: back-payment rows for each month under its own rules, billed this month."""
    person = Person.objects.get(id_number=line.id_number)
    first, last = Month.parse(line.data["start"]), Month.parse(line.data["end"])
    wages = {m: int(line.data["wage"]) for m in month_range(first, last)}
    quote = backpay_quote(person=person, unit=unit, wages=wages, as_of=today)
    bill = Month.of(today)
    Contribution.objects.bulk_create([
        Contribution(unit=unit, person=person, month=int(item.month), bill_month=int(bill),
                     insurance=c.insurance, kind=ContributionKind.BACKPAY, base=c.base,
                     employer=c.employer, personal=c.personal)
        for item in quote.months for c in item.calc.lines
    ])
    line.data = {**line.data, "total": quote.total, "late_fee": quote.late_fee_total,
                 "account_credit": quote.account_credit_total}
    line.person = person
    line.save(update_fields=["person", "data"])
    bills_refresh(bill, unit.id, unit.id)

