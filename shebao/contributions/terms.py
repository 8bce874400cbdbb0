"""The multipliers of a settlement run: per month and rate combination (RateTerm, from
the calculator) and per unit (UnitTerm, the scratch table the big INSERT … SELECT reads:
one row a unit, its insurances side by side, and whether its month is closed)."""

from __future__ import annotations

from django.db import connection

from shebao.policy.selectors import Policy
from shebao.registry.choices import EnterpriseSize
from shebao.registry.models import UnitInjuryRate

from .calculator import NO_INJURY_CLASS, CalculationError, UnitTerms, rate_terms
from .models import INSURANCES, RateTerm, UnitTerm

# The columns of UnitTerm per insurance, each from RateTerm `t` (urban) or `tr` (rural).
_TERM_SOURCES = (("lower", "t.lower"), ("upper", "t.upper"),
                 ("employer_num", "t.employer_num"), ("personal_num", "t.personal_num"),
                 ("personal_num_rural", "tr.personal_num"),
                 ("personal_fixed", "t.personal_fixed"))


def _unit_terms_sql() -> str:
    """Each unit's multipliers for the month: its work-injury class and factor of that
    month and its size select the RateTerm rows (which the calculator wrote), pivoted
    to one row a unit, the urban and the rural personal rate side by side. A unit with
    no class for the month (a registry error) takes the rows of NO_INJURY_CLASS: every
    insurance but work injury (whose columns stay NULL), so the error never drops its
    pension or medical (the month is flagged: issues.py). Whether the unit's month is
    closed is decided here, once per unit."""
    columns = [f"{ins}_{name}" for ins in INSURANCES for name, _ in _TERM_SOURCES]
    values = [f"MAX(CASE WHEN t.insurance = '{ins}' THEN {source} END)"
              for ins in INSURANCES for _, source in _TERM_SOURCES]
    return f"""
INSERT INTO contributions_unitterm (month, unit_id, closed, {", ".join(columns)})
SELECT %(m)s, u.id,
       EXISTS (SELECT 1 FROM contributions_unitmonth um
               WHERE um.unit_id = u.id AND um.month = %(m)s AND um.status = 'closed'),
       {", ".join(values)}
FROM registry_unit u
LEFT JOIN registry_unitinjuryrate r ON r.unit_id = u.id AND r.first_month <= %(m)s
     AND (r.last_month IS NULL OR r.last_month >= %(m)s)
JOIN contributions_rateterm t ON t.month = %(m)s
     AND t.injury_class = COALESCE(r.injury_class, {NO_INJURY_CLASS})
     AND t.floating_pct = COALESCE(r.floating_pct, 0) AND t.size = u.size AND t.rural = 0
JOIN contributions_rateterm tr ON tr.month = %(m)s AND tr.injury_class = t.injury_class
     AND tr.floating_pct = t.floating_pct AND tr.size = u.size AND tr.rural = 1
     AND tr.insurance = t.insurance
GROUP BY u.id
"""


_UNIT_TERMS = _unit_terms_sql()


def rate_terms_store(policy: Policy, refused: list[str]) -> None:
    """Write the multipliers of every (class, factor, size, hukou) combination in use;
    the combinations the rules refuse are added to `refused` (Chinese)."""
    m = int(policy.month)
    combos = set(
        UnitInjuryRate.objects.filter(first_month__lte=m)
        .exclude(last_month__lt=m)
        .values_list("injury_class", "floating_pct")
        .distinct()
    ) | {(NO_INJURY_CLASS, 0)}
    RateTerm.objects.filter(month=m).delete()
    rows = []
    for injury_class, floating_pct in sorted(combos):
        for size in EnterpriseSize.values:
            for rural in (0, 1):
                try:
                    terms = rate_terms(policy, rural=bool(rural),
                                       unit=UnitTerms(injury_class, floating_pct, size))
                except CalculationError as exc:
                    which = ("无工伤类别的单位" if injury_class == NO_INJURY_CLASS
                             else f"工伤类别{injury_class}/浮动{floating_pct}%")
                    refused.append(f"{which}：{exc}")
                    break
                rows += [
                    RateTerm(month=m, insurance=t.insurance, rural=rural,
                             injury_class=injury_class, floating_pct=floating_pct, size=size,
                             lower=t.lower, upper=t.upper, employer_num=t.employer_num,
                             personal_num=t.personal_num, personal_fixed=t.personal_fixed)
                    for t in terms
                ]
    RateTerm.objects.bulk_create(rows, batch_size=1000)
    refused[:] = sorted(set(refused))


def unit_terms_store(m: int) -> None:
    """Replace the UnitTerm rows of month m (after rate_terms_store)."""
    UnitTerm.objects.filter(month=m).delete()
    with connection.cursor() as cur:
        cur.execute(_UNIT_TERMS, {"m": m})
        if connection.vendor == "postgresql":
            # fresh rows, no statistics yet: without them the planner picks nested
            # loops over the whole enrolment table (measured: 172 s instead of 62 s)
            cur.execute("ANALYZE contributions_unitterm")


def unit_terms_units(m: int) -> list[int]:
    """The units of month m's terms (every unit with terms), in id order."""
    return list(UnitTerm.objects.filter(month=m).order_by("unit_id")
                .values_list("unit_id", flat=True))


def hukou_matters(m: int) -> bool:
    """Whether any rate of month m differs between urban and rural hukou."""
    differs = " OR ".join(f"{ins}_personal_num <> {ins}_personal_num_rural"
                          for ins in INSURANCES)
    with connection.cursor() as cur:
        cur.execute(f"SELECT 1 FROM contributions_unitterm WHERE month = %s AND ({differs})",
                    [m])
        return cur.fetchone() is not None
