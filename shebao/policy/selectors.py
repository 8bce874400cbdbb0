"""`policy_at(month)`: what applied then. The one place that answers policy questions.

Every figure comes with the row that produced it (confidence, source, note), so pages
can show where a number comes from. Values are exact integers: money in fen, rates and
factors in parts per million, lists of percents as integers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max

from shebao.lib.money import decimal_to_fen, factor_to_ppm, percent_to_ppm
from shebao.lib.periods import Month

from .insurances import ORDER, Insurance
from .models import PolicyRow

PERCENT_UNITS = {
    "percent", "percent_per_day", "percent_of_base", "percent_of_due",
    "percent_of_previous_base",
}

# Enterprise size -> relief variant of the 2020 relief rows.
RELIEF_VARIANT = {"large": "large", "medium": "small_medium", "small": "small_medium",
                  "micro": "small_medium"}

# The eight-class work-injury scheme began in 2015-10 (人社部发〔2015〕71号).
INJURY_SCHEME_2015 = Month(2015, 10)

# Chinese names of the policy keys and parties, for messages and listings.
KEY_LABELS: dict[str, str] = {
    "policy_year": "缴费年度",
    "base_lower": "缴费基数下限",
    "base_upper": "缴费基数上限",
    "rate": "缴费比例",
    "personal_fixed": "个人定额",
    "relief_factor": "阶段性减免应缴比例",
    "injury_floating": "工伤保险浮动费率档次",
    "account_share": "个人账户记账比例",
    "interest_rate": "个人账户记账利率",
    "interest_factor": "当年记账额计息系数",
    "late_fee_daily": "滞纳金日费率",
    "late_declaration_base": "未申报缴费工资的基数",
}
PARTY_LABELS: dict[str, str] = {"employer": "单位", "personal": "个人", "-": ""}


def insurance_label(insurance: str) -> str:
    """'pension' -> 养老保险; 'all' -> 全部险种."""
    if insurance in Insurance.values:
        return str(Insurance(insurance).label)
    return "全部险种" if insurance == "all" else insurance


class PolicyMissing(LookupError):
    """No policy figure for a month: the message is Chinese, for users."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One policy figure and the row it comes from."""

    value: int
    key: str
    insurance: str
    party: str
    variant: str
    raw: str
    unit: str
    first_month: Month
    last_month: Month | None
    confidence: str
    source: str
    note: str  # the Chinese note (the file's note_zh), as pages show it
    values: tuple[int, ...] = ()
    document: str = ""  # the official document cited for the figure

    @property
    def confidence_label(self) -> str:
        from .models import Confidence

        return str(Confidence(self.confidence).label)

    @property
    def period_label(self) -> str:
        if self.last_month is None:
            return f"{self.first_month} 至今"
        return f"{self.first_month} 至 {self.last_month}"

    @property
    def key_label(self) -> str:
        return KEY_LABELS.get(self.key, self.key)

    @property
    def insurance_label(self) -> str:
        return insurance_label(self.insurance)

    @property
    def party_label(self) -> str:
        return PARTY_LABELS.get(self.party, self.party)

    @property
    def variant_label(self) -> str:
        return variant_label(self.variant)


def variant_label(variant: str) -> str:
    """'' -> 一般; rural -> 农村户口; class3 -> 3类行业; class2-8 -> 2–8类行业; sizes."""
    if not variant:
        return "一般"
    if variant == "rural":
        return "农村户口"
    if variant.startswith("class"):
        return f"{variant.removeprefix('class').replace('-', '–')}类行业"
    return {"large": "大型企业", "small_medium": "中小微企业"}.get(variant, variant)


def figure_of(row: PolicyRow, insurance: str) -> Figure:
    """The figure a row gives for one of its insurances (values made exact)."""
    values: tuple[int, ...] = ()
    if row.unit == "yuan":
        value = decimal_to_fen(Decimal(row.value))  # refuses fractions of a fen
    elif row.unit in PERCENT_UNITS:
        value = percent_to_ppm(row.value)
    elif row.unit == "factor":
        value = factor_to_ppm(row.value)
    elif row.unit == "percent_list":
        values = tuple(int(v) for v in row.value.split(","))
        value = 0
    elif row.unit == "label":
        value = int(row.value)
    else:
        raise ValueError(f"policy row {row.pk}: unknown unit {row.unit!r}")
    return Figure(
        value=value, key=row.key, insurance=insurance, party=row.party, variant=row.variant,
        raw=row.value, unit=row.unit, first_month=Month.from_int(row.first_month),
        last_month=Month.from_int(row.last_month) if row.last_month else None,
        confidence=row.confidence, source=row.source, note=row.note_zh, values=values,
        document=row.document,
    )


Slot = tuple[str, str, str, str]  # key, insurance, party, variant


@dataclass
class _Table:
    """All active rows, expanded per insurance, indexed by slot."""

    version: tuple[int, object]
    slots: dict[Slot, list[tuple[int, int, Figure]]] = field(default_factory=dict)

    def add(self, row: PolicyRow) -> None:
        insurances = [i.strip() for i in row.insurance.split(",")]
        for ins in insurances:
            slot = (row.key, ins, row.party, row.variant)
            last = row.last_month if row.last_month is not None else 999912
            self.slots.setdefault(slot, []).append((row.first_month, last, figure_of(row, ins)))

    def find(self, slot: Slot, month: int) -> Figure | None:
        hits = [f for first, last, f in self.slots.get(slot, ()) if first <= month <= last]
        if len(hits) > 1:
            raise PolicyMissing(f"政策参数重叠：{'/'.join(slot)} 在 {Month.from_int(month)} 有多条")
        return hits[0] if hits else None

    def variants(self, key: str, insurance: str, party: str, month: int) -> dict[str, Figure]:
        found: dict[str, Figure] = {}
        for (k, ins, p, variant), entries in self.slots.items():
            if (k, ins, p) == (key, insurance, party):
                for first, last, fig in entries:
                    if first <= month <= last:
                        found[variant] = fig
        return found


_lock = threading.Lock()
_table: _Table | None = None


def _current_version() -> tuple[int, object]:
    agg = PolicyRow.objects.filter(active=True).aggregate(n=Count("id"), t=Max("updated_at"))
    return (agg["n"], agg["t"])


# How long a loaded table is trusted before its version is checked again: other
# processes see a staff correction within this time; this process clears at once.
RECHECK_SECONDS = 2.0
_checked_at = 0.0


def _load_table() -> _Table:
    global _table, _checked_at
    now = time.monotonic()
    if _table is not None and now - _checked_at < RECHECK_SECONDS:
        return _table
    version = _current_version()
    with _lock:
        _checked_at = now
        if _table is not None and _table.version == version:
            return _table
        table = _Table(version=version)
        for row in PolicyRow.objects.filter(active=True):
            table.add(row)
        _table = table
        return table


def clear_cache() -> None:
    global _table
    with _lock:
        _table = None


@dataclass(frozen=True)
class Policy:
    """The policy in force in one month."""

    month: Month
    policy_year: Figure
    base_lower: dict[str, Figure]
    base_upper: dict[str, Figure]
    rates: dict[tuple[str, str], dict[str, Figure]]  # (insurance, party) -> variant -> fig
    personal_fixed: dict[str, Figure]
    relief: dict[str, dict[str, Figure]]  # insurance -> size variant -> factor
    injury_floating: dict[str, Figure]  # class variant ('class1', 'class2-8') -> list
    account_share: Figure | None
    interest_factor: Figure | None
    late_fee_daily: Figure
    late_declaration_base: Figure | None

    @property
    def year_label(self) -> int:
        return self.policy_year.value

    @property
    def injury_classes(self) -> list[int]:
        """The industry classes of the work-injury scheme in force this month."""
        variants = self.rates.get((Insurance.WORK_INJURY, "employer"), {})
        return sorted(int(v.removeprefix("class")) for v in variants if v.startswith("class"))

    def rate(self, insurance: str, party: str, *, rural: bool = False,
             injury_class: int | None = None) -> Figure:
        """The contribution rate of an insurance and party for this month.

        Rural-hukou persons use a `rural` row where one applies (no personal
        unemployment premium until 2021-06); the work-injury employer rate is the rate of
        the unit's industry class in the scheme of this month.
        """
        variants = self.rates.get((insurance, party), {})
        if insurance == Insurance.WORK_INJURY and party == "employer":
            classes = self.injury_classes
            if injury_class not in classes:
                raise PolicyMissing(
                    f"{self.month} 的工伤保险行业风险类别应为 {classes[0]}–{classes[-1]} 类，"
                    f"不能为 {injury_class} 类"
                )
            return variants[f"class{injury_class}"]
        if rural and "rural" in variants:
            return variants["rural"]
        if "" not in variants:
            raise PolicyMissing(
                f"{self.month.label}没有{insurance_label(insurance)}的"
                f"{PARTY_LABELS.get(party, party)}缴费比例"
            )
        return variants[""]

    def relief_factor(self, insurance: str, size: str) -> Figure | None:
        """The share of the employer amount still due in a relief month, or None."""
        variant = RELIEF_VARIANT.get(size)
        return self.relief.get(insurance, {}).get(variant) if variant else None

    def floating_allowed(self, injury_class: int) -> tuple[int, ...] | None:
        """Allowed floating factors (percent) for a class, or None if no list applies."""
        if not self.injury_floating:
            return None
        key = "class1" if injury_class == 1 else "class2-8"
        fig = self.injury_floating.get(key)
        return fig.values if fig else None

    def figures(self) -> list[Figure]:
        """Every figure of this month, for display."""
        out: list[Figure] = [self.policy_year]
        for ins in ORDER:
            out += [self.base_lower[ins], self.base_upper[ins]]
        for variants in self.rates.values():
            out += list(variants.values())
        out += list(self.personal_fixed.values())
        for variants in self.relief.values():
            out += list(variants.values())
        out += list(self.injury_floating.values())
        out += [f for f in (self.account_share, self.interest_factor, self.late_fee_daily,
                            self.late_declaration_base) if f is not None]
        return out


def policy_at(month: Month) -> Policy:
    """The policy in force in `month`; PolicyMissing (Chinese message) if incomplete."""
    table = _load_table()
    m = int(month)

    def need(slot: Slot) -> Figure:
        fig = table.find(slot, m)
        if fig is None:
            raise PolicyMissing(
                f"{month.label}没有政策参数“{KEY_LABELS.get(slot[0], slot[0])}”"
                f"（{insurance_label(slot[1])}），请联系经办机构"
            )
        return fig

    lower = {i.value: need(("base_lower", i, "-", "")) for i in ORDER}
    upper = {i.value: need(("base_upper", i, "-", "")) for i in ORDER}
    rates: dict[tuple[str, str], dict[str, Figure]] = {}
    for ins in ORDER:
        for party in ("employer", "personal"):
            variants = table.variants("rate", ins, party, m)
            if not variants:
                raise PolicyMissing(
                    f"{month.label}没有{insurance_label(ins)}的{PARTY_LABELS[party]}缴费比例"
                )
            rates[(ins, party)] = variants
    fixed = {}
    for ins in ORDER:
        fig = table.find(("personal_fixed", ins, "personal", ""), m)
        if fig:
            fixed[ins.value] = fig
    relief = {}
    for ins in ORDER:
        variants = table.variants("relief_factor", ins, "employer", m)
        if variants:
            relief[ins.value] = variants
    return Policy(
        month=month,
        policy_year=need(("policy_year", "all", "-", "")),
        base_lower=lower,
        base_upper=upper,
        rates=rates,
        personal_fixed=fixed,
        relief=relief,
        injury_floating=table.variants("injury_floating", Insurance.WORK_INJURY, "employer", m),
        account_share=table.find(("account_share", Insurance.PENSION, "personal", ""), m),
        interest_factor=table.find(("interest_factor", Insurance.PENSION, "-", ""), m),
        late_fee_daily=need(("late_fee_daily", "all", "employer", "")),
        late_declaration_base=table.find(("late_declaration_base", "all", "-", ""), m),
    )


def interest_rate_for_year(year: int) -> Figure:
    """The pension account's interest rate (记账利率) for a calendar year."""
    fig = _load_table().find(("interest_rate", Insurance.PENSION, "-", ""), year * 100 + 12)
    if fig is None:
        raise PolicyMissing(f"{year}年的养老保险个人账户记账利率尚未录入")
    return fig


def interest_factor_for_year(year: int) -> Figure | None:
    return _load_table().find(("interest_factor", Insurance.PENSION, "-", ""), year * 100 + 12)


def account_share_at(month: Month) -> Figure | None:
    """The share of the base credited to the pension account (None before 1996)."""
    return _load_table().find(("account_share", Insurance.PENSION, "personal", ""), int(month))


def late_fee_daily_at(month: Month) -> Figure:
    fig = _load_table().find(("late_fee_daily", "all", "employer", ""), int(month))
    if fig is None:
        raise PolicyMissing(f"{month.label}没有滞纳金日费率")
    return fig


def policy_years() -> list[Figure]:
    """Every policy year (缴费年度) with its months."""
    table = _load_table()
    entries = table.slots.get(("policy_year", "all", "-", ""), [])
    return sorted((f for _, _, f in entries), key=lambda f: f.first_month)


def policy_year_months(label: int) -> tuple[Month, Month]:
    for fig in policy_years():
        if fig.value == label:
            if fig.last_month is None:
                raise PolicyMissing(f"{label}缴费年度没有结束月份")
            return fig.first_month, fig.last_month
    raise PolicyMissing(f"没有{label}缴费年度")
