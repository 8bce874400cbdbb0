"""`policy_at` over every month of the shipped data, the year lookups, and the loader.

Expected figures come from two independent places: the rules of DOMAIN.md written out
here as small functions, and the shipped CSV read with the csv module and `Decimal`
(not through the loader), so a loader or selector slip shows up as a mismatch.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from itertools import pairwise

import pytest

from shebao.lib.periods import Month, month_range
from shebao.policy import selectors
from shebao.policy.insurances import ORDER, Insurance
from shebao.policy.loader import POLICY_CSV, policy_file_load, read_policy_csv
from shebao.policy.models import Confidence, PolicyRow
from shebao.policy.selectors import (
    PolicyMissing,
    account_share_at,
    clear_cache,
    figure_of,
    interest_factor_for_year,
    interest_rate_for_year,
    late_fee_daily_at,
    policy_at,
    policy_year_months,
    policy_years,
)

pytestmark = pytest.mark.django_db

FIRST = Month(2004, 4)
LAST = Month(2027, 6)
MONTHS = list(month_range(FIRST, LAST))
INJURY_2015 = Month(2015, 10)
RELIEF_TAX = ("pension", "unemployment", "work_injury")

with POLICY_CSV.open(encoding="utf-8", newline="") as _fh:
    RAW_ROWS: list[dict[str, str]] = list(csv.DictReader(_fh))


def raw_row(key: str, insurance: str, party: str, variant: str, month: Month) -> dict[str, str]:
    """The one CSV row covering `month` for a slot (insurance may sit in a list)."""
    hits = [
        r for r in RAW_ROWS
        if r["key"] == key and insurance in r["insurance"].split(",")
        and r["party"] == party and r["variant"] == variant
        and Month.parse(r["from"]) <= month
        and (not r["to"] or month <= Month.parse(r["to"]))
    ]
    assert len(hits) == 1, f"{key}/{insurance}/{party}/{variant} at {month}: {len(hits)} rows"
    return hits[0]


def exact(text: str, scale: int) -> int:
    """Decimal text × scale as an int, refusing anything that is not whole."""
    value = Decimal(text) * scale
    assert value == value.to_integral_value(), f"{text} × {scale} is not whole"
    return int(value)


def expected_year_label(m: Month) -> int:
    """July–June from 2019-07; April–March before; the 2018 year runs on to 2019-06."""
    if m >= Month(2019, 7):
        return m.year if m.month >= 7 else m.year - 1
    if m >= Month(2018, 4):
        return 2018
    return m.year if m.month >= 4 else m.year - 1


# --- every month -----------------------------------------------------------------------


@pytest.mark.parametrize("month", MONTHS, ids=str)
def test_month_resolves_every_parameter(month: Month) -> None:
    p = policy_at(month)

    assert p.month == month
    assert p.year_label == expected_year_label(month)
    assert p.policy_year.unit == "label"

    for ins in ORDER:
        lower, upper = p.base_lower[ins], p.base_upper[ins]
        assert (lower.insurance, upper.insurance) == (ins.value, ins.value)
        assert lower.value == exact(raw_row("base_lower", ins, "-", "", month)["value"], 100)
        assert upper.value == exact(raw_row("base_upper", ins, "-", "", month)["value"], 100)
        assert 0 < lower.value <= upper.value
        for party in ("employer", "personal"):
            if ins == Insurance.WORK_INJURY and party == "employer":
                continue
            fig = p.rate(ins, party)
            assert fig.variant == ""
            assert fig.value == exact(raw_row("rate", ins, party, "", month)["value"], 10_000)

    for fig in p.figures():
        assert fig.confidence in Confidence.values, fig
        assert fig.source != "", fig
        assert fig.first_month <= month, fig
        assert fig.last_month is None or month <= fig.last_month, fig


@pytest.mark.parametrize("month", MONTHS, ids=str)
def test_work_injury_classes_follow_the_scheme_of_the_month(month: Month) -> None:
    p = policy_at(month)
    classes = [1, 2, 3] if month < INJURY_2015 else [1, 2, 3, 4, 5, 6, 7, 8]
    assert p.injury_classes == classes
    rates = [p.rate(Insurance.WORK_INJURY, "employer", injury_class=c).value for c in classes]
    assert rates == [
        exact(raw_row("rate", "work_injury", "employer", f"class{c}", month)["value"], 10_000)
        for c in classes
    ]
    assert rates == sorted(set(rates)), "riskier classes pay strictly more"
    assert p.rate(Insurance.WORK_INJURY, "personal").value == 0
    with pytest.raises(PolicyMissing, match="行业风险类别"):
        p.rate(Insurance.WORK_INJURY, "employer", injury_class=classes[-1] + 1)


def test_work_injury_class_rates_at_the_scheme_change() -> None:
    before, after = policy_at(Month(2015, 9)), policy_at(INJURY_2015)
    assert [before.rate("work_injury", "employer", injury_class=c).value
            for c in (1, 2, 3)] == [5000, 10000, 20000]
    assert [after.rate("work_injury", "employer", injury_class=c).value
            for c in range(1, 9)] == [2000, 4000, 7000, 9000, 11000, 13000, 16000, 19000]
    assert before.floating_allowed(1) is None
    assert after.floating_allowed(1) == (100, 120, 150)
    assert after.floating_allowed(5) == (50, 80, 100, 120, 150)


def _figure_rules(m: Month) -> dict[str, object]:
    """The rules of DOMAIN.md for one month, as exact ppm / fen values."""
    return {
        "personal_fixed": {"medical": 300},
        "late_fee_daily": 2000 if m < Month(2011, 7) else 500,
        "account_share": 110_000 if m <= Month(2005, 12) else 80_000,
        "interest_factor": 1_083_000,
        "late_declaration_base": 1_100_000 if m >= Month(2019, 7) else None,
        "rural_unemployment": 0 if m <= Month(2021, 6) else 5000,
        "maternity_employer": (0 if m < Month(2005, 7) or m >= Month(2020, 1) else 8000),
        "relief": (
            {i: {"large": 500_000, "small_medium": 0} for i in RELIEF_TAX}
            if Month(2020, 2) <= m <= Month(2020, 6)
            else {i: {"small_medium": 0} for i in RELIEF_TAX}
            if Month(2020, 7) <= m <= Month(2020, 12)
            else {}
        ),
    }


def _figures_seen(m: Month) -> dict[str, object]:
    p = policy_at(m)
    return {
        "personal_fixed": {k: f.value for k, f in p.personal_fixed.items()},
        "late_fee_daily": p.late_fee_daily.value,
        "account_share": p.account_share.value if p.account_share else None,
        "interest_factor": p.interest_factor.value if p.interest_factor else None,
        "late_declaration_base": (
            p.late_declaration_base.value if p.late_declaration_base else None
        ),
        "rural_unemployment": p.rate("unemployment", "personal", rural=True).value,
        "maternity_employer": p.rate("maternity", "employer").value,
        "relief": {
            ins: {size: f.value for size, f in variants.items()}
            for ins, variants in p.relief.items()
        },
    }


def test_every_month_follows_the_documented_rules() -> None:
    mismatches = [
        (str(m), seen, expected)
        for m in MONTHS
        if (seen := _figures_seen(m)) != (expected := _figure_rules(m))
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("month", "key", "expected"),
    [
        ("2011-06", "late_fee_daily", 2000),
        ("2011-07", "late_fee_daily", 500),
        ("2005-12", "account_share", 110_000),
        ("2006-01", "account_share", 80_000),
        ("2021-06", "rural_unemployment", 0),
        ("2021-07", "rural_unemployment", 5000),
        ("2019-12", "maternity_employer", 8000),
        ("2020-01", "maternity_employer", 0),
        ("2020-01", "relief", {}),
        ("2020-02", "relief", {i: {"large": 500_000, "small_medium": 0} for i in RELIEF_TAX}),
        ("2020-06", "relief", {i: {"large": 500_000, "small_medium": 0} for i in RELIEF_TAX}),
        ("2020-07", "relief", {i: {"small_medium": 0} for i in RELIEF_TAX}),
        ("2020-12", "relief", {i: {"small_medium": 0} for i in RELIEF_TAX}),
        ("2021-01", "relief", {}),
        ("2019-06", "late_declaration_base", None),
        ("2019-07", "late_declaration_base", 1_100_000),
    ],
)
def test_rule_boundaries(month: str, key: str, expected: object) -> None:
    assert _figures_seen(Month.parse(month))[key] == expected


@pytest.mark.parametrize(
    ("size", "march", "september"),
    [("large", 500_000, None), ("medium", 0, 0), ("small", 0, 0), ("micro", 0, 0)],
)
def test_relief_factor_by_enterprise_size(size: str, march: int, september: int | None) -> None:
    in_march = policy_at(Month(2020, 3)).relief_factor("pension", size)
    in_september = policy_at(Month(2020, 9)).relief_factor("pension", size)
    assert in_march is not None and in_march.value == march
    assert (in_september.value if in_september else None) == september
    assert policy_at(Month(2020, 3)).relief_factor("medical", size) is None


def test_rural_rate_replaces_only_the_personal_unemployment_rate() -> None:
    p = policy_at(Month(2015, 6))
    assert p.rate("unemployment", "personal").value == 2000
    assert p.rate("unemployment", "personal", rural=True).value == 0
    assert p.rate("unemployment", "employer", rural=True).value == 10_000
    assert p.rate("pension", "personal", rural=True).value == 80_000


# --- outside the data ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (Month(2004, 3), "2004年03月没有政策参数“缴费基数下限”（养老保险），请联系经办机构"),
        (Month(2027, 7), "2027年07月没有政策参数“缴费基数下限”（养老保险），请联系经办机构"),
        (Month(1990, 1), "1990年01月没有政策参数“缴费基数下限”（养老保险），请联系经办机构"),
    ],
)
def test_month_outside_the_data_raises_a_chinese_message(month: Month, message: str) -> None:
    with pytest.raises(PolicyMissing) as excinfo:
        policy_at(month)
    assert str(excinfo.value) == message


# --- provenance ------------------------------------------------------------------------


def test_confidence_and_source_travel_with_the_figure() -> None:
    fig = policy_at(Month(2025, 3)).base_upper["pension"]
    assert fig.value == 3_528_300
    assert fig.raw == "35283"
    assert fig.unit == "yuan"
    assert fig.confidence == Confidence.HIGH
    assert fig.confidence_label == "高（官方文件或原文转载）"
    assert fig.source.startswith("京人社发〔2024〕12号")
    assert (fig.first_month, fig.last_month) == (Month(2024, 7), Month(2025, 6))
    assert fig.period_label == "2024-07 至 2025-06"


def test_open_ended_figure_reads_as_still_in_force() -> None:
    fig = policy_at(Month(2025, 3)).rate("pension", "employer")
    assert fig.value == 160_000
    assert fig.last_month is None
    assert fig.period_label == "2019-05 至今"


@pytest.mark.parametrize("month", [Month(2026, 7), Month(2026, 11), Month(2027, 6)], ids=str)
def test_the_2026_limits_are_the_published_ones(month: Month) -> None:
    """京 2026 notice: 60% and 300% of 12,116 yuan, for every insurance, from 2026-07
    (they replaced the 2025 figures carried over until publication)."""
    p = policy_at(month)
    assert {ins.value: p.base_lower[ins].value for ins in ORDER} == dict.fromkeys(
        [i.value for i in ORDER], 727_000)
    assert {ins.value: p.base_upper[ins].value for ins in ORDER} == dict.fromkeys(
        [i.value for i in ORDER], 3_634_800)
    fig = p.base_upper["pension"]
    assert fig.confidence != Confidence.PROVISIONAL
    assert fig.note.startswith("依据2026年度缴费工资基数上下限通告")
    assert p.year_label == 2026


@pytest.mark.parametrize(
    ("month", "employer", "personal"),
    [("2008-12", 15_000, 5_000), ("2009-01", 10_000, 2_000), ("2009-03", 10_000, 2_000),
     ("2009-04", 10_000, 2_000)],
)
def test_the_2009_unemployment_rates_apply_from_january(month: str, employer: int,
                                                        personal: int) -> None:
    """京劳社保发〔2008〕237号: 1% / 0.2% from 2009-01-01 (was 1.5% / 0.5%)."""
    p = policy_at(Month.parse(month))
    assert p.rate("unemployment", "employer").value == employer
    assert p.rate("unemployment", "personal").value == personal


def test_figures_carry_the_official_document_and_the_chinese_note() -> None:
    fig = policy_at(Month(2009, 1)).rate("unemployment", "employer")
    assert fig.document == "《关于调整本市部分社会保险缴费问题的通知》（京劳社保发〔2008〕237号）"
    assert fig.note == "自2009年1月1日起执行（京劳社保发〔2008〕237号）"


# --- year lookups ----------------------------------------------------------------------


@pytest.mark.parametrize("year", range(1996, 2026))
def test_interest_rate_for_every_year(year: int) -> None:
    fig = interest_rate_for_year(year)
    row = raw_row("interest_rate", "pension", "-", "", Month(year, 12))
    assert fig.value == exact(row["value"], 10_000)
    assert (fig.first_month, fig.last_month) == (Month(year, 1), Month(year, 12))
    assert fig.confidence == row["confidence"]
    assert fig.source == row["source"]
    factor = interest_factor_for_year(year)
    assert (factor.value if factor else None) == (1_083_000 if year >= 1998 else None)


def test_interest_factor_starts_in_1998() -> None:
    assert interest_factor_for_year(1997) is None


@pytest.mark.parametrize(
    ("year", "ppm"), [(1996, 80_400), (2016, 83_100), (2023, 39_700), (2025, 15_000)],
)
def test_interest_rate_spot_checks(year: int, ppm: int) -> None:
    assert interest_rate_for_year(year).value == ppm


@pytest.mark.parametrize("year", [1995, 2026])
def test_interest_rate_outside_the_data_raises(year: int) -> None:
    with pytest.raises(PolicyMissing) as excinfo:
        interest_rate_for_year(year)
    assert str(excinfo.value) == f"{year}年的养老保险个人账户记账利率尚未录入"


@pytest.mark.parametrize(
    ("month", "ppm"),
    [("1995-12", None), ("1996-01", 110_000), ("2005-12", 110_000), ("2006-01", 80_000),
     ("2027-06", 80_000)],
)
def test_account_share_from_1996(month: str, ppm: int | None) -> None:
    fig = account_share_at(Month.parse(month))
    assert (fig.value if fig else None) == ppm


def test_account_share_of_every_month_from_1996() -> None:
    seen = {str(m): account_share_at(m).value  # type: ignore[union-attr]
            for m in month_range(Month(1996, 1), LAST)}
    assert {v for k, v in seen.items() if k <= "2005-12"} == {110_000}
    assert {v for k, v in seen.items() if k >= "2006-01"} == {80_000}


@pytest.mark.parametrize(
    ("month", "ppm"), [("2004-04", 2000), ("2011-06", 2000), ("2011-07", 500)],
)
def test_late_fee_daily_at(month: str, ppm: int) -> None:
    assert late_fee_daily_at(Month.parse(month)).value == ppm


@pytest.mark.parametrize(
    ("label", "first", "last"),
    [
        (2004, Month(2004, 4), Month(2005, 3)),
        (2018, Month(2018, 4), Month(2019, 6)),
        (2019, Month(2019, 7), Month(2020, 6)),
        (2025, Month(2025, 7), Month(2026, 6)),
        (2026, Month(2026, 7), Month(2027, 6)),
    ],
)
def test_policy_year_months(label: int, first: Month, last: Month) -> None:
    assert policy_year_months(label) == (first, last)


def test_policy_years_cover_the_data_without_gaps() -> None:
    years = policy_years()
    assert [f.value for f in years] == list(range(2004, 2027))
    assert years[0].first_month == FIRST
    assert years[-1].last_month == LAST
    for a, b in pairwise(years):
        assert a.last_month is not None and a.last_month.add(1) == b.first_month


def test_unknown_policy_year_raises() -> None:
    with pytest.raises(PolicyMissing) as excinfo:
        policy_year_months(2030)
    assert str(excinfo.value) == "没有2030缴费年度"


# --- the cache ---------------------------------------------------------------------
#
# The loaded table is trusted for RECHECK_SECONDS, then its version (count and latest
# update of the active rows) is checked: another process's correction shows within that
# time; a writer in this process calls clear_cache() to show it at once. The suite's
# conftest clears the table around each test and holds RECHECK_SECONDS at an hour; the
# tests of the re-check set it to 0 (as another process, later).


def correct_pension_upper_2024() -> None:
    """Staff upkeep: retire the shipped row, add a corrected one with its source."""
    shipped = PolicyRow.objects.get(
        key="base_upper", insurance="pension", first_month=202407, origin="shipped",
    )
    shipped.active = False
    shipped.save()
    PolicyRow.objects.create(
        key="base_upper", insurance="pension", party="-", variant="", value="35300.50",
        unit="yuan", first_month=202407, last_month=202506, confidence=Confidence.MEDIUM,
        source="测试更正", origin="staff",
    )


def test_cache_sees_a_change_once_the_version_is_rechecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 0.0)  # as another process, later
    month = Month(2025, 3)
    assert policy_at(month).base_upper["pension"].value == 3_528_300  # warms the cache
    shipped = PolicyRow.objects.get(
        key="base_upper", insurance="pension", first_month=202407, origin="shipped",
    )
    shipped.active = False
    shipped.save()
    with pytest.raises(PolicyMissing, match="缴费基数上限"):
        policy_at(month)

    correct_pension_upper_2024()
    fig = policy_at(month).base_upper["pension"]
    assert (fig.value, fig.confidence, fig.source) == (3_530_050, "medium", "测试更正")
    assert policy_at(month).base_upper["medical"].value == 3_528_300
    assert policy_at(Month(2025, 7)).base_upper["pension"].value == 3_581_100


def test_cache_is_trusted_until_rechecked_or_cleared() -> None:
    month = Month(2025, 3)
    assert policy_at(month).base_upper["pension"].value == 3_528_300
    correct_pension_upper_2024()
    # Within RECHECK_SECONDS the loaded table is served as it was ...
    assert policy_at(month).base_upper["pension"].value == 3_528_300
    # ... until the writer clears it.
    clear_cache()
    assert policy_at(month).base_upper["pension"].value == 3_530_050


def test_lookup_within_the_recheck_time_costs_no_query(django_assert_num_queries) -> None:
    policy_at(Month(2025, 3))
    with django_assert_num_queries(0):
        policy_at(Month(2010, 5))


def test_recheck_of_an_unchanged_table_costs_one_query(
    django_assert_num_queries, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 0.0)
    policy_at(Month(2025, 3))
    with django_assert_num_queries(1):  # the version check only; rows are not reloaded
        policy_at(Month(2010, 5))


# --- the loader ------------------------------------------------------------------------


def counts() -> tuple[int, int, int]:
    load = policy_file_load()
    return load.created, load.updated, load.removed


def test_load_shipped_is_idempotent() -> None:
    # The test database's setup already loaded the file.
    assert counts() == (0, 0, 0)
    PolicyRow.objects.filter(origin="shipped").delete()
    assert counts() == (len(RAW_ROWS), 0, 0)
    assert counts() == (0, 0, 0)
    assert PolicyRow.objects.filter(origin="shipped").count() == len(RAW_ROWS) == 327


def test_load_shipped_restores_a_changed_shipped_row() -> None:
    row = PolicyRow.objects.get(key="interest_rate", first_month=202301)
    row.value = "9.99"
    row.save()
    assert counts() == (0, 1, 0)
    row.refresh_from_db()
    assert row.value == "3.97"


def test_load_shipped_shows_restored_figures_at_once() -> None:
    PolicyRow.objects.filter(key="late_fee_daily", first_month=201107).update(value="0.06")
    assert policy_at(Month(2025, 3)).late_fee_daily.value == 600
    assert counts() == (0, 1, 0)
    # Within the recheck time: visible only because the loader cleared the cache.
    assert policy_at(Month(2025, 3)).late_fee_daily.value == 500


def test_load_shipped_leaves_staff_rows_and_deactivations_alone() -> None:
    shipped = PolicyRow.objects.get(key="base_upper", insurance="pension", first_month=202407)
    shipped.active = False
    shipped.save()
    staff = PolicyRow.objects.create(
        key="base_upper", insurance="pension", party="-", value="35300", unit="yuan",
        first_month=202407, last_month=202506, confidence="medium", source="测试", origin="staff",
    )
    assert counts() == (0, 0, 0)
    shipped.refresh_from_db()
    assert shipped.active is False
    assert PolicyRow.objects.get(pk=staff.pk).value == "35300"


def test_loaded_rows_match_the_file_text() -> None:
    db = {
        (r.key, r.insurance, r.party, r.variant, r.first_month): r
        for r in PolicyRow.objects.filter(origin="shipped")
    }
    assert len(db) == len(RAW_ROWS)
    for raw in RAW_ROWS:
        row = db[(raw["key"], raw["insurance"], raw["party"], raw["variant"],
                  int(Month.parse(raw["from"])))]
        assert row.value == raw["value"]
        assert row.last_month == (int(Month.parse(raw["to"])) if raw["to"] else None)
        assert (row.confidence, row.source) == (raw["confidence"], raw["source"])


# Scale of each unit: value text × scale is the exact integer the selectors keep.
UNIT_SCALE = {
    "yuan": 100, "percent": 10_000, "percent_per_day": 10_000, "percent_of_base": 10_000,
    "percent_of_due": 10_000, "percent_of_previous_base": 10_000, "factor": 1_000_000,
    "label": 1,
}


def test_every_csv_value_parses_exactly() -> None:
    rows = read_policy_csv()
    assert len(rows) == len(RAW_ROWS)
    for raw in rows:
        assert raw["confidence"] in Confidence.values, raw
        assert raw["source"], raw
        fig = figure_of(PolicyRow(**raw), raw["insurance"])
        if raw["unit"] == "percent_list":
            parts = raw["value"].split(",")
            assert fig.values == tuple(exact(v, 1) for v in parts)
            assert all(isinstance(v, int) for v in fig.values)
        else:
            assert type(fig.value) is int, raw
            assert fig.value == exact(raw["value"], UNIT_SCALE[raw["unit"]]), raw


def test_yuan_with_a_fraction_of_a_fen_is_refused() -> None:
    row = PolicyRow(key="base_upper", insurance="pension", party="-", value="100.005",
                    unit="yuan", first_month=202501, confidence="assumed")
    with pytest.raises(ValueError, match="两位小数"):
        figure_of(row, "pension")
