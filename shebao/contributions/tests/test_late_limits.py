"""Limits published after the policy year began: settled months get a difference."""

from __future__ import annotations

import pytest

from shebao.contributions.models import Contribution, ContributionKind, UnitMonth
from shebao.contributions.settlement import month_close, settlement_run
from shebao.contributions.tests.helpers import long_values
from shebao.lib.periods import Month
from shebao.policy.models import PolicyRow
from shebao.policy.selectors import clear_cache
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db


def test_late_limits_lead_to_a_difference_settlement_not_an_edit():
    unit = make_unit()
    person = make_person()
    # wage below the floor: the floor decides the base
    make_enrolment(person, unit, first=Month(2025, 1), wage=500_000, policy_years=(2025,))
    july, aug, sep = Month(2025, 7), Month(2025, 8), Month(2025, 9)
    for m in (july, aug):
        settlement_run(m, bill_month=m)
        month_close(m)
    closed = {m: UnitMonth.objects.get(unit=unit, month=int(m)).total for m in (july, aug)}

    # The 2025 floors are corrected upwards (published late): staff add new rows.
    rows = PolicyRow.objects.filter(key="base_lower", first_month=202507)
    for row in rows:
        row.active = False
        row.save()
        PolicyRow.objects.create(
            key=row.key, insurance=row.insurance, party=row.party, variant=row.variant,
            value="7500", unit=row.unit, first_month=row.first_month,
            last_month=row.last_month, confidence="high", source="更正", origin="staff")
    clear_cache()

    for m in (july, aug):
        result = settlement_run(m, bill_month=sep)
        assert result.difference_rows == 1  # one person: its pension and others changed
    for m in (july, aug):
        assert UnitMonth.objects.get(unit=unit, month=int(m)).total == closed[m]
    diffs = Contribution.objects.filter(unit=unit, kind=ContributionKind.DIFFERENCE,
                                        bill_month=int(sep))
    pension = [row[1:] for row in long_values(diffs, "insurance", "month", "base", "employer",
                                              "personal") if row[0] == "pension"]
    assert sorted(pension) == [
        (202507, 33_800, 5_408, 2_704), (202508, 33_800, 5_408, 2_704)]
    settlement_run(sep, bill_month=sep)
    sep_bill = UnitMonth.objects.get(unit=unit, month=int(sep))
    regular = Contribution.objects.filter(unit=unit, bill_month=int(sep),
                                          kind=ContributionKind.REGULAR)
    assert sep_bill.total == sum(c.employer + c.personal for c in regular) + sum(
        c.employer + c.personal for c in diffs)
