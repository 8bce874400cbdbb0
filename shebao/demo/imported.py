"""Imported pension account years (1996 to the last imported year), generated in SQL.

Python hands over one seed row per person (`SEED_COLUMNS`: career start, wage ratio,
the 1992–1995 balance, the person's pension spells and a random state drawn from the
person's stream) and one rule row per year (`RULE_COLUMNS`, policy figures). One
`INSERT … SELECT` with a recursive CTE then writes every year of every person of a
batch: the numbers of a year hold together as the year-end close makes them
(DOMAIN.md, "Pension personal account"; `pension.services.year_interest`):

    interest_opening = round(opening × r)
    interest_credits = round(credits × r × factor / 2)
    closing = opening + credits + interest_opening + interest_credits

each rounded half-up to the fen, all in integers. The randomness of the years (gaps
between jobs before 2005, the yearly wage drift) comes from a Lehmer generator
(MINSTD, x ← x·48271 mod 2³¹−1) seeded per person, with jump-ahead multipliers, so the
same seed gives the same rows on SQLite and PostgreSQL. Until 2004 the months come from
the career start; from 2005 from the person's pension spells.
"""

from __future__ import annotations

from shebao.lib.money import PPM, apply_rates_sql
from shebao.pension.models import AccountYear

from .common import mindex
from .context import IMPORTED_LAST_YEAR, AccountYearRule
from .history import base_bounds

SEED_TABLE = "demo_account_seed"
RULE_TABLE = "demo_account_rule"
SEED_COLUMNS = ("person", "first_year", "opening", "cumulative", "career", "ratio", "state",
                "p1_first", "p1_last", "p2_first", "p2_last")
RULE_COLUMNS = ("year", "share", "rate", "factor", "average", "low", "high")
ACCOUNT_YEAR_FIELDS = (
    "person", "year", "opening", "months_paid", "average_base", "credits",
    "interest_opening", "interest_credits", "closing", "cumulative_months", "rate_ppm",
    "source",
)
IMPORTED = AccountYear.Source.IMPORTED.value
# Before monthly detail (2004-11) a career is counted from its start; after, by spells.
LAST_IMPORTED_CAREER_YEAR = 2004
NO_SPELL = (0, -1)  # an empty month range: overlaps no year
LCG_MODULUS = 2_147_483_647
LCG_MULTIPLIER = 48_271
DRAWS_PER_YEAR = 5
GAP_PPM = 60_000  # 6% of the years before 2005 lose some months (a gap between jobs)
# The yearly wage drift: 1 + (a sum of three uniform draws), mean +1%, spread ±3%.
DRIFT_SPAN_PPM = 60_000
DRIFT_OFFSET_PPM = 80_000
MOD = "%%"  # the modulo operator, in SQL run with parameters


def rule_rows(rules: tuple[AccountYearRule, ...]) -> list[tuple[object, ...]]:
    return [(r.year, r.share_ppm, r.rate_ppm, r.factor_ppm, r.average_wage,
             *base_bounds(r.average_wage)) for r in rules]


def first_year(career: int, opening: int, pension_spells: list[tuple[int, int]]) -> int | None:
    """The first imported year of a person (the year with the first month worked, 1996 at
    the earliest, or 1996 when a 1992–1995 balance is carried), None when there is none."""
    if opening or career <= mindex(199601):
        return 1996
    if career <= mindex(LAST_IMPORTED_CAREER_YEAR * 100 + 12):
        return career // 12
    first = min((f for f, _ in pension_spells), default=None)
    if first is None or first // 12 > IMPORTED_LAST_YEAR:
        return None
    return max(first // 12, LAST_IMPORTED_CAREER_YEAR + 1)


def seed_row(person: int, career: int, ratio: float, opening: int, cumulative: int,
             pension_spells: list[tuple[int, int]], state: int) -> tuple[object, ...] | None:
    """The seed of a person's imported years; `pension_spells` are (first, last) month
    indexes (at most two: the generator cuts a career into two spells at most)."""
    year = first_year(career, opening, pension_spells)
    if year is None:
        return None
    if len(pension_spells) > 2:
        raise ValueError("at most two pension spells per person")
    p1, p2 = [*pension_spells, NO_SPELL, NO_SPELL][:2]
    return (person, year, opening, cumulative, career, round(ratio * PPM), state, *p1, *p2)


def _functions(vendor: str) -> tuple[str, str]:
    """Multi-argument maximum and minimum: MAX/MIN on SQLite, GREATEST/LEAST elsewhere."""
    return ("MAX", "MIN") if vendor == "sqlite" else ("GREATEST", "LEAST")


def _draw(state: str, k: int) -> str:
    """The k-th number after `state` in the generator's sequence (jump-ahead)."""
    return f"({state} * {pow(LCG_MULTIPLIER, k, LCG_MODULUS)} {MOD} {LCG_MODULUS})"


def _year_columns(vendor: str, p: str, state: str, jump: int,
                  drift: str) -> tuple[str, str, str]:
    """SQL for a year's months, its base before zeroing, and the drift after the year.

    `r` is the year's rule, `p` the alias of the row holding the person's seed columns;
    the year's random numbers are the `jump`+1-th to `jump`+5-th after `state`. The
    base uses the drift reached before the year (`drift`), which the year then moves.
    Each expression appears once in the statement's recursive step.
    """
    hi, lo = _functions(vendor)
    jan, dec = "(r.year * 12)", "(r.year * 12 + 11)"

    def overlap(first: str, last: str) -> str:
        return f"{hi}(0, {lo}({last}, {dec}) - {hi}({first}, {jan}) + 1)"

    career = overlap(f"{p}.career", dec)
    gapped = (f"CASE WHEN {_draw(state, jump + 1)} {MOD} {PPM} < {GAP_PPM} AND {career} > 0 "
              f"THEN {_draw(state, jump + 2)} {MOD} {hi}({career}, 1) ELSE {career} END")
    spells = " + ".join(overlap(f"{p}.p{i}_first", f"{p}.p{i}_last") for i in (1, 2))
    months = (f"(CASE WHEN r.year <= {LAST_IMPORTED_CAREER_YEAR} THEN {gapped} "
              f"ELSE {spells} END)")
    step = " + ".join(f"{_draw(state, jump + k)} {MOD} {DRIFT_SPAN_PPM}" for k in (3, 4, 5))
    moved = f"({drift} * ({PPM} - {DRIFT_OFFSET_PPM} + {step}) / {PPM})"
    raw = f"(r.average * {p}.ratio / {PPM} * {drift} / {PPM} / 100 * 100)"
    return months, f"{lo}(r.high, {hi}(r.low, {raw}))", moved


def account_years_sql(vendor: str) -> str:
    """INSERT … SELECT of the imported years of the seeds with person in [%(lo)s, %(hi)s].

    A row of the recursion holds a year's months, its base (not yet zeroed for a year
    without months), the months counted before the year and the state the year's random
    numbers follow; the next year's opening is this year's closing.
    """
    cols = ", ".join(f'"{c}"' if c != "person" else '"person_id"' for c in ACCOUNT_YEAR_FIELDS)
    first = _year_columns(vendor, "s", "s.state", 0, str(PPM))
    nxt = _year_columns(vendor, "a", "a.state", DRAWS_PER_YEAR, "a.drift")

    def credits(a: str) -> str:
        return f"({a}.months * {apply_rates_sql(f'{a}.base', f'{a}.share')})"

    def interest_credits(a: str) -> str:
        return (f"(({credits(a)} * {a}.rate * {a}.factor + {PPM * PPM}) "
                f"/ {2 * PPM * PPM})")

    def closing(a: str) -> str:
        return (f"({a}.opening + {credits(a)} + {apply_rates_sql(f'{a}.opening', f'{a}.rate')}"
                f" + {interest_credits(a)})")

    def carried(alias: str) -> str:
        return ", ".join(f"{alias}.{c}" for c in SEED_COLUMNS[4:6] + SEED_COLUMNS[7:])

    return f"""
INSERT INTO pension_accountyear ({cols})
WITH RECURSIVE acc (person, year, opening, months, base, cum, drift, state, share, rate,
                    factor, career, ratio, p1_first, p1_last, p2_first, p2_last) AS (
  SELECT s.person, r.year, s.opening, {first[0]}, {first[1]}, s.cumulative, {first[2]},
         s.state, r.share, r.rate, r.factor, {carried('s')}
  FROM {SEED_TABLE} s JOIN {RULE_TABLE} r ON r.year = s.first_year
  WHERE s.person BETWEEN %(lo)s AND %(hi)s
  UNION ALL
  SELECT a.person, r.year, {closing('a')}, {nxt[0]}, {nxt[1]}, a.cum + a.months, {nxt[2]},
         {_draw("a.state", DRAWS_PER_YEAR)}, r.share, r.rate, r.factor, {carried('a')}
  FROM acc a JOIN {RULE_TABLE} r ON r.year = a.year + 1
)
SELECT a.person, a.year, a.opening, a.months, CASE WHEN a.months > 0 THEN a.base ELSE 0 END,
       {credits('a')}, {apply_rates_sql('a.opening', 'a.rate')}, {interest_credits('a')},
       {closing('a')}, a.cum + a.months, a.rate, '{IMPORTED}'
FROM acc a
"""
