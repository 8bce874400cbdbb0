"""The calculator: worked examples, floors and ceilings, variants, and properties."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from shebao.contributions.calculator import CalculationError, UnitTerms, contribution_calc
from shebao.lib.periods import Month
from shebao.policy.selectors import policy_at

pytestmark = pytest.mark.django_db


def calc(month: str, wage_yuan: str, **kw: Any):
    from shebao.lib.money import parse_yuan

    return contribution_calc(policy_at(Month.parse(month)), wage=parse_yuan(wage_yuan), **kw)


def amounts(c) -> dict[str, tuple[int, int, int]]:
    return {line.insurance: (line.base, line.employer, line.personal) for line in c.lines}


def test_documented_example_2025_03_12000():
    c = calc("2025-03", "12000")
    assert amounts(c) == {
        "pension": (1_200_000, 192_000, 96_000),
        "unemployment": (1_200_000, 6_000, 6_000),
        "work_injury": (1_200_000, 2_400, 0),
        "maternity": (1_200_000, 0, 0),
        "medical": (1_200_000, 117_600, 24_000 + 300),
    }
    assert (c.employer_total, c.personal_total, c.total) == (318_000, 126_300, 444_300)


def test_maternity_shows_merged_note_from_2020():
    assert calc("2020-01", "10000").lines[3].note == "并入医疗"
    assert calc("2019-12", "10000").lines[3].note == ""
    assert calc("2019-12", "10000").lines[3].employer == 8_000  # 0.8%


@pytest.mark.parametrize(
    ("month", "wage", "lower", "upper"),
    [
        ("2025-03", "1000", 682_100, 3_528_300),  # 2024 year: floor 6821, ceiling 35283
        ("2025-03", "99999", 682_100, 3_528_300),
        ("2025-07", "1000", 716_200, 3_581_100),  # new policy year 2025
        ("2025-07", "50000", 716_200, 3_581_100),
    ],
)
def test_base_is_clamped_to_the_month_limits(month, wage, lower, upper):
    c = calc(month, wage)
    base = c.lines[0].base
    assert base == (lower if Decimal(wage) * 100 < lower else upper)


def test_policy_year_boundary_changes_limits():
    assert calc("2025-06", "1000").lines[0].base == 682_100
    assert calc("2025-07", "1000").lines[0].base == 716_200


def test_pension_rate_change_2019_05():
    assert calc("2019-04", "10000").lines[0].employer == 190_000
    assert calc("2019-05", "10000").lines[0].employer == 160_000


def test_rural_hukou_pays_no_personal_unemployment_until_2021_06():
    assert calc("2021-06", "10000", rural=True).lines[1].personal == 0
    assert calc("2021-06", "10000", rural=False).lines[1].personal == 2_000
    assert calc("2021-07", "10000", rural=True).lines[1].personal == 5_000


def test_work_injury_class_times_floating_factor():
    c = calc("2025-03", "10000", unit=UnitTerms(injury_class=8, injury_float_pct=150))
    assert c.lines[2].employer == 28_500  # 10000 × 1.9% × 1.5


def test_work_injury_old_scheme_refuses_class_above_3():
    with pytest.raises(CalculationError, match="1–3 类"):
        calc("2015-09", "10000", unit=UnitTerms(injury_class=4))


def test_floating_factor_must_be_allowed_for_the_class():
    with pytest.raises(CalculationError, match="浮动费率只能为"):
        calc("2025-03", "10000", unit=UnitTerms(injury_class=1, injury_float_pct=80))


@pytest.mark.parametrize(
    ("month", "size", "pension_employer"),
    [
        ("2020-01", "large", 160_000),  # relief begins 2020-02
        ("2020-02", "large", 80_000),  # halved for large units until 2020-06
        ("2020-07", "large", 160_000),
        ("2020-02", "small", 0),  # waived for small, medium, micro until 2020-12
        ("2020-12", "micro", 0),
        ("2021-01", "medium", 160_000),
    ],
)
def test_2020_relief_by_enterprise_size(month, size, pension_employer):
    c = calc(month, "10000", unit=UnitTerms(size=size))
    assert c.lines[0].employer == pension_employer
    assert c.lines[0].personal == 80_000  # personal part never relieved


def test_half_up_rounding_at_half_a_fen():
    # 0.5% of 7,163.01 = 35.81505 -> 35.82 (half-up), not banker's 35.82/35.81
    c = calc("2025-07", "7163.01")
    assert c.lines[1].employer == 3_582
    # 0.2% × 1 class of 7,162.25: 14.3245 -> 14.32
    c = calc("2025-07", "7162.25")
    assert c.lines[2].employer == 1_432


def test_negative_wage_refused():
    with pytest.raises(CalculationError):
        contribution_calc(policy_at(Month(2025, 3)), wage=-1)


def _expected(base: int, rate_percent: str, factor: str = "1") -> int:
    exact = Decimal(base) * Decimal(rate_percent) / 100 * Decimal(factor)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


months = st.builds(lambda i: Month(2004, 4).add(i), st.integers(0, 278))


@settings(max_examples=300, deadline=None)
@given(month=months, wage=st.integers(0, 10_000_000), rural=st.booleans(),
       size=st.sampled_from(["large", "medium", "small", "micro"]))
def test_properties(month, wage, rural, size):
    policy = policy_at(month)
    c = contribution_calc(policy, wage=wage, rural=rural, unit=UnitTerms(size=size))
    assert [line.insurance for line in c.lines] == [
        "pension", "unemployment", "work_injury", "maternity", "medical"]
    for line in c.lines:
        lower = policy.base_lower[line.insurance].value
        upper = policy.base_upper[line.insurance].value
        assert lower <= line.base <= upper
        assert line.base == wage or line.base in (lower, upper)
        assert line.employer >= 0 and line.personal >= 0
    assert c.employer_total + c.personal_total == c.total
    pension = c.lines[0]
    rate = policy.rate("pension", "personal")
    assert pension.personal == _expected(pension.base, rate.raw)
    medical = c.lines[4]
    assert medical.personal == _expected(medical.base, policy.rate("medical", "personal").raw) + 300


@settings(max_examples=100, deadline=None)
@given(month=months, wage=st.integers(0, 5_000_000), extra=st.integers(1, 5_000_000))
def test_amounts_are_monotone_in_wage(month, wage, extra):
    policy = policy_at(month)
    low = contribution_calc(policy, wage=wage)
    high = contribution_calc(policy, wage=wage + extra)
    assert low.total <= high.total


def test_calc_command_prints_documented_json(capsys):
    call_command("calc", "--month", "2025-03", "--wage", "12000")
    out = json.loads(capsys.readouterr().out)
    assert out["month"] == "2025-03" and out["wage"] == "12000.00"
    assert out["items"][0] == {"insurance": "pension", "base": "12000.00",
                               "employer": "1920.00", "personal": "960.00"}
    assert [i["insurance"] for i in out["items"]] == [
        "pension", "unemployment", "work_injury", "maternity", "medical"]
    assert out["items"][4]["personal"] == "243.00"
    assert (out["employer_total"], out["personal_total"], out["total"]) == (
        "3180.00", "1263.00", "4443.00")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2025-13", "--wage", "1"], "不是有效的年月"),
        (["--month", "2003-01", "--wage", "1"], "没有政策参数"),
        (["--month", "2025-03", "--wage", "abc"], "不是有效金额"),
        (["--month", "2025-03", "--wage", "1", "--injury-class", "9"], "行业风险类别"),
        (["--month", "2025-03", "--wage", "1", "--injury-float", "x"], "浮动费率"),
        (["--month", "2025-03", "--wage", "1", "--size", "huge"], "取值"),
        (["--wage", "1"], "缺少必填参数"),
    ],
)
def test_calc_command_bad_arguments_exit_2_with_chinese_line(args, message, capsys):
    with pytest.raises(SystemExit) as exc:
        call_command("calc", *args)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err
