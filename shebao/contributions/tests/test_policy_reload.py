"""Limits published late: `shebao policy load` re-settles the months they reach.

The deployed system settled 2026-07 and 2026-08 with the 2025 limits carried over
(7,162 / 35,811, provisional); the shipped file now has the published 2026 limits
(7,270 / 36,348). Loading it bills the exact difference (补差) of the closed months in
the first open month, re-settles the open month in place, and a second load bills
nothing more.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from shebao.audit.models import Event
from shebao.contributions.calculator import UnitTerms, contribution_calc
from shebao.contributions.models import Contribution, ContributionKind, UnitMonth
from shebao.contributions.settlement import month_close, settlement_run
from shebao.contributions.tests.helpers import long_values
from shebao.lib.periods import Month
from shebao.policy.loader import COLUMNS, POLICY_CSV, policy_file_load
from shebao.policy.selectors import clear_cache, policy_at
from shebao.registry.models import Person, Unit
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db

JULY, AUGUST, SEPTEMBER = Month(2026, 7), Month(2026, 8), Month(2026, 9)
CARRIED_OVER = {"base_lower": "7162", "base_upper": "35811"}


@pytest.fixture
def before_publication(tmp_path: Path) -> Iterator[None]:
    """The policy table as it was: the 2026 policy year with the 2025 limits."""
    with POLICY_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["key"] in CARRIED_OVER and row["from"] == "2026-07":
            row.update(value=CARRIED_OVER[row["key"]], confidence="provisional")
    old = tmp_path / "beijing_policy.csv"
    with old.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    policy_file_load(old)
    assert policy_at(JULY).base_upper["pension"].value == 3_581_100
    yield
    clear_cache()


def load() -> str:
    out = StringIO()
    call_command("policy", "load", stdout=out)
    return out.getvalue()


def diffs(person_id: int) -> dict[tuple[int, str], tuple[int, int, int, int]]:
    rows = Contribution.objects.filter(person_id=person_id, kind=ContributionKind.DIFFERENCE)
    return {(m, ins): (bill, base, employer, personal) for m, ins, bill, base, employer, personal
            in long_values(rows, "month", "insurance", "bill_month", "base", "employer",
                           "personal")}


def test_published_limits_bill_the_exact_difference_of_settled_months(
        before_publication: None) -> None:
    unit = make_unit(injury_class=1, floating_pct=100)
    high, low = make_person(), make_person()
    make_enrolment(high, unit, first=Month(2026, 1), wage=5_000_000, policy_years=(2026,))
    make_enrolment(low, unit, first=Month(2026, 1), wage=500_000, policy_years=(2026,))
    for month in (JULY, AUGUST):
        settlement_run(month, bill_month=month)
        month_close(month)
    settlement_run(SEPTEMBER, bill_month=SEPTEMBER)
    closed_totals = {m: UnitMonth.objects.get(unit=unit, month=int(m)).total
                     for m in (JULY, AUGUST)}

    out = load()

    # the upper limit 35,811 -> 36,348 (+537 yuan), the lower 7,162 -> 7,270 (+108 yuan):
    # pension 16% / 8%, unemployment 0.5% / 0.5%, work injury class 1 0.2%, medical
    # 9.8% / 2% (+3 yuan unchanged), maternity merged (0), each rounded half-up to the fen
    per_month_high = {"pension": (53_700, 8_592, 4_296), "unemployment": (53_700, 268, 268),
                      "work_injury": (53_700, 108, 0), "maternity": (53_700, 0, 0),
                      "medical": (53_700, 5_262, 1_074)}
    per_month_low = {"pension": (10_800, 1_728, 864), "unemployment": (10_800, 54, 54),
                     "work_injury": (10_800, 22, 0), "maternity": (10_800, 0, 0),
                     "medical": (10_800, 1_058, 216)}
    for person, expected in ((high, per_month_high), (low, per_month_low)):
        assert diffs(person.id) == {
            (int(m), ins): (int(SEPTEMBER), *amounts)
            for m in (JULY, AUGUST) for ins, amounts in expected.items()}
    # closed bills never change; September (open) is re-settled with the new limits
    for m in (JULY, AUGUST):
        assert UnitMonth.objects.get(unit=unit, month=int(m)).total == closed_totals[m]
    regular = Contribution.objects.filter(unit=unit, month=int(SEPTEMBER),
                                          kind=ContributionKind.REGULAR)
    assert sorted({base for (base,) in long_values(regular, "base")}) == [727_000, 3_634_800]
    difference = sum(e + p for _, e, p in
                     [*per_month_high.values(), *per_month_low.values()]) * 2
    bill = UnitMonth.objects.get(unit=unit, month=int(SEPTEMBER))
    assert bill.total == sum(c.employer + c.personal for c in regular) + difference
    assert difference == 2 * (8_592 + 4_296 + 268 * 2 + 108 + 5_262 + 1_074
                              + 1_728 + 864 + 54 * 2 + 22 + 1_058 + 216)

    lines = out.splitlines()  # rows: one per person and month
    assert lines[0] == "已载入政策参数文件 beijing_policy.csv：新增 0 条，更新 10 条，删除 0 条"
    assert ("  养老保险缴费基数上限 2026-07 起：35,811.00 元（2026-07 至 2027-06） → "
            "36,348.00 元（2026-07 至 2027-06）") in lines
    assert lines[-4:] == [
        "受影响的已核定月份已按新参数重新核定：",
        "  2026-07（已关账）：补差 2 条，记入 2026年09月应缴",
        "  2026-08（已关账）：补差 2 条，记入 2026年09月应缴",
        "  2026-09（未关账）：重新核定 2 条缴费明细",
    ]
    event = Event.objects.filter(action="policy_load").get()
    changed = {(f["key"], f["insurance"]): (f["before"]["value"], f["after"]["value"])
               for f in (event.after or {})["figures"]}
    assert changed[("base_upper", "pension")] == ("35811", "36348")
    assert changed[("base_lower", "medical")] == ("7162", "7270")
    assert len(changed) == 10


def july_closed(wage: int) -> tuple[Unit, Person]:
    """One person of one unit, July settled with the carried-over limits and closed."""
    unit = make_unit()
    person = make_person()
    make_enrolment(person, unit, first=Month(2026, 1), wage=wage, policy_years=(2026,))
    settlement_run(JULY, bill_month=JULY)
    month_close(JULY)
    return unit, person


def test_loading_again_bills_nothing_more(before_publication: None) -> None:
    unit, person = july_closed(5_000_000)
    load()
    billed = diffs(person.id)
    bill_total = UnitMonth.objects.get(unit=unit, month=int(AUGUST)).total
    events = Event.objects.count()

    out = load()
    # nor does settling the month again by hand: the difference is against what was billed
    assert settlement_run(JULY, bill_month=AUGUST).difference_rows == 0

    assert out == "已载入政策参数文件 beijing_policy.csv：新增 0 条，更新 0 条，删除 0 条\n"
    assert diffs(person.id) == billed and len(billed) == 5
    assert UnitMonth.objects.get(unit=unit, month=int(AUGUST)).total == bill_total
    # the manual settlement run only: its start and its end
    assert Event.objects.count() == events + 2


def test_dry_run_reports_the_months_and_changes_nothing(before_publication: None) -> None:
    july_closed(500_000)
    out = StringIO()
    call_command("policy", "load", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "  2026-07（已关账）：补差 1 条，记入 2026年08月应缴"
    assert not Contribution.objects.filter(kind=ContributionKind.DIFFERENCE).exists()
    assert policy_at(JULY).base_lower["pension"].value == 716_200  # the cache was cleared


def test_the_calculator_gives_the_published_figures() -> None:
    calc = contribution_calc(policy_at(Month(2026, 8)), wage=5_000_000, rural=False,
                             unit=UnitTerms(1, 100, "small"))
    pension = next(line for line in calc.lines if line.insurance == "pension")
    assert (pension.base, pension.employer, pension.personal) == (3_634_800, 581_568, 290_784)


def test_shebao_calc_gives_the_published_figures() -> None:
    out = StringIO()
    call_command("calc", "--month", "2026-08", "--wage", "50000", stdout=out)
    items = {i["insurance"]: i for i in json.loads(out.getvalue())["items"]}
    assert (items["pension"]["base"], items["pension"]["employer"]) == ("36348.00", "5815.68")
