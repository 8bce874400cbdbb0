"""The contribution calculator: one person, one unit, one month.

Rules (DOMAIN.md, Contributions):
- base = the declared wage clamped to the month's limits for each insurance;
- employer = round_half_up(base × rate [× floating factor] [× relief factor]) — one
  rounding for the whole product; the work-injury rate is the unit's class rate × its
  floating factor (人社部发〔2015〕71号); 2020 relief by enterprise size
  (人社部发〔2020〕11号, 〔2020〕49号);
- personal = round_half_up(base × personal rate) + the fixed amount (medical 3 yuan,
  大额医疗互助); rural-hukou workers paid no personal unemployment premium until 2021-06
  (失业保险条例 art. 6);
- maternity from 2020-01 is merged into medical: it shows 0 with the note 并入医疗.

All amounts are integer fen; rates are ppm (lib.money). The monthly settlement uses the
same parameters through `rate_terms`, so web, CLI, API and settlement agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from shebao.lib.money import PPM, div_half_up
from shebao.policy.insurances import ORDER, Insurance
from shebao.policy.selectors import Figure, Policy, PolicyMissing

MERGED_NOTE = "并入医疗"


class CalculationError(ValueError):
    """Inputs the rules refuse; the message is Chinese, for users."""


# UnitTerms.injury_class of a unit with no work-injury class for the month (a registry
# error): its other insurances are billed, work injury is not (settlement flags it).
NO_INJURY_CLASS = 0


@dataclass(frozen=True, slots=True)
class UnitTerms:
    """What of a unit changes its employer rates: work-injury class and factor, size."""

    injury_class: int = 1
    injury_float_pct: int = 100
    size: str = "small"


@dataclass(frozen=True, slots=True)
class RateTerms:
    """Exact multipliers for one insurance: amounts are round(base × num / 10¹²) (+fixed).

    employer_num = rate_ppm × factor_ppm (factor: floating × relief, in ppm), so one
    integer product and one rounding give the amount.
    """

    insurance: str
    lower: int
    upper: int
    employer_num: int
    personal_num: int
    personal_fixed: int
    merged: bool
    figures: tuple[Figure, ...]


SCALE = PPM * PPM


def clamp_base(wage: int, lower: int, upper: int) -> int:
    """The base: the wage clamped to [lower, upper] (fen)."""
    return max(lower, min(wage, upper))


def _employer_factor(policy: Policy, insurance: str, unit: UnitTerms,
                     figures: list[Figure]) -> int:
    """floating × relief as ppm (exact; refuses factors finer than 1 ppm)."""
    factor = PPM
    if insurance == Insurance.WORK_INJURY:
        allowed = policy.floating_allowed(unit.injury_class)
        if allowed is not None and unit.injury_float_pct not in allowed:
            choices = "、".join(f"{v}%" for v in allowed)
            raise CalculationError(
                f"{unit.injury_class}类行业的工伤保险浮动费率只能为 {choices}，"
                f"不能为 {unit.injury_float_pct}%"
            )
        if not 1 <= unit.injury_float_pct <= 300:
            raise CalculationError(f"工伤保险浮动费率 {unit.injury_float_pct}% 不在有效范围内")
        factor = unit.injury_float_pct * 10_000
    relief = policy.relief_factor(insurance, unit.size)
    if relief is not None:
        figures.append(relief)
        product = factor * relief.value
        if product % PPM:
            raise CalculationError("减免比例精度超出系统支持范围")
        factor = product // PPM
    return factor


def maternity_merged(policy: Policy) -> bool:
    """Maternity is merged into medical (并入医疗) in a month of 2020 or later whose
    maternity rates are zero: its contribution is in medical's rate (DOMAIN.md)."""
    return (policy.month.year >= 2020
            and policy.rate(Insurance.MATERNITY, "employer").value == 0
            and policy.rate(Insurance.MATERNITY, "personal").value == 0)


def rate_terms(policy: Policy, *, rural: bool, unit: UnitTerms) -> list[RateTerms]:
    """The exact multipliers of every insurance, in canonical order (without work
    injury for a unit with no class, NO_INJURY_CLASS)."""
    terms = []
    for ins in ORDER:
        if ins == Insurance.WORK_INJURY and unit.injury_class == NO_INJURY_CLASS:
            continue
        figures: list[Figure] = [policy.base_lower[ins], policy.base_upper[ins]]
        try:
            employer = policy.rate(ins, "employer", injury_class=unit.injury_class)
        except PolicyMissing as exc:
            raise CalculationError(str(exc)) from exc
        personal = policy.rate(ins, "personal", rural=rural)
        figures += [employer, personal]
        factor = _employer_factor(policy, ins, unit, figures)
        fixed = policy.personal_fixed.get(ins)
        if fixed is not None:
            figures.append(fixed)
        terms.append(
            RateTerms(
                insurance=ins.value,
                lower=policy.base_lower[ins].value,
                upper=policy.base_upper[ins].value,
                employer_num=employer.value * factor,
                personal_num=personal.value * PPM,
                personal_fixed=fixed.value if fixed else 0,
                merged=ins == Insurance.MATERNITY and maternity_merged(policy),
                figures=tuple(figures),
            )
        )
    return terms


@dataclass(frozen=True, slots=True)
class Line:
    insurance: str
    base: int
    employer: int
    personal: int
    note: str
    figures: tuple[Figure, ...]

    @property
    def total(self) -> int:
        return self.employer + self.personal


@dataclass(frozen=True, slots=True)
class Calculation:
    month: str
    wage: int
    lines: tuple[Line, ...]

    @property
    def employer_total(self) -> int:
        return sum(line.employer for line in self.lines)

    @property
    def personal_total(self) -> int:
        return sum(line.personal for line in self.lines)

    @property
    def total(self) -> int:
        return self.employer_total + self.personal_total


def line_for(terms: RateTerms, wage: int) -> Line:
    base = clamp_base(wage, terms.lower, terms.upper)
    employer = div_half_up(base * terms.employer_num, SCALE)
    personal = div_half_up(base * terms.personal_num, SCALE) + terms.personal_fixed
    return Line(terms.insurance, base, employer, personal,
                MERGED_NOTE if terms.merged else "", terms.figures)


def contribution_calc(policy: Policy, *, wage: int, rural: bool = False,
                      unit: UnitTerms | None = None) -> Calculation:
    """Base and amounts per insurance for one person's month."""
    if wage < 0:
        raise CalculationError("月缴费工资不能为负数")
    terms = rate_terms(policy, rural=rural, unit=unit or UnitTerms())
    return Calculation(str(policy.month), wage, tuple(line_for(t, wage) for t in terms))
