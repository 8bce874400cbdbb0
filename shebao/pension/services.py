"""Year-end interest (结息) of pension personal accounts, set-based.

(PostgreSQL's SUM of bigint is numeric: sums are cast back to BIGINT so that every
division below is integer division, exactly as on SQLite.)

closing = opening + credits + round(opening × r) + round(credits × r × 1.083 / 2),
each rounded half-up to the fen (劳办发〔1997〕116号, annual method), r the year's
记账利率 (national from 2016), applied to the credits booked in the year: those of its own
months paid before it closed, and the 补记 of earlier years' months paid after theirs
closed (decision 0011). One INSERT … SELECT writes every account's year; persons already
closed for the year are left alone, so a re-run changes nothing. Years close in order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from shebao.audit.services import SYSTEM, Actor, event_record
from shebao.lib.faults import fault_point
from shebao.lib.money import PPM, apply_rates_sql, div_half_up
from shebao.policy.selectors import interest_factor_for_year, interest_rate_for_year

from .models import AccountYear, ClosedYear

# Monthly detail (and so computed closes) begins with 2005; earlier years are imported.
FIRST_COMPUTED_YEAR = 2005


def last_closed_year(*, for_booking: bool = False) -> int:
    """The last closed account year (years close in order, so every year up to it is
    closed and every later one open). `for_booking`: the caller books credits by the
    answer in this transaction, so on PostgreSQL a close running now is waited for
    (and one starting waits for this transaction): no credit lands in a year closed
    meanwhile. SQLite has one writer at a time, so it needs no lock."""
    with connection.cursor() as cur:
        if for_booking and connection.vendor == "postgresql":
            cur.execute("LOCK TABLE pension_closedyear IN SHARE MODE")
        cur.execute("SELECT MAX(year) FROM pension_closedyear")
        last = cur.fetchone()[0]
    return max(last or 0, FIRST_COMPUTED_YEAR - 1)


def credit_year(month_year: int, paid_year: int, last_closed: int) -> int:
    """The account year a credit is booked in (decision 0011): the year of its
    contribution month while that year is open; once it is closed, the year paid as
    补记 (or the first open year, when the year paid is closed as well)."""
    if month_year > last_closed:
        return month_year
    return max(paid_year, last_closed + 1)


class CloseYearError(Exception):
    """The year cannot be closed; the message is Chinese."""


@dataclass(frozen=True)
class YearInterest:
    interest_opening: int
    interest_credits: int
    closing: int


def year_interest(opening: int, credits: int, rate_ppm: int, factor_ppm: int) -> YearInterest:
    """The annual method for one account, in fen (the rule the SQL below applies)."""
    on_opening = div_half_up(opening * rate_ppm, PPM)
    on_credits = div_half_up(credits * rate_ppm * factor_ppm, 2 * PPM * PPM)
    return YearInterest(on_opening, on_credits, opening + credits + on_opening + on_credits)


# One pass over last year's rows and this year's credits, merged by person: the credits
# are summed per person straight from the covering index credit_year_person_sums (year,
# person, month, amount, base: no table reads), both sides are stacked (UNION ALL) and
# grouped once, in person order, so the rows are written in the order of the
# account_year_once index. Each person has at most one row of last year, so the sums
# over the stack are that row's values plus the credit totals (0 where a side is
# missing). COUNT(DISTINCT month) counts a month once however many credits it has
# (re-settlement differences, several units, back-payments); a 补记 month (of an earlier,
# closed year) counts unless a credit of an earlier year counted it already (a
# correction): the probe runs for those rare rows only.
_CLOSE_SQL = f"""
INSERT INTO pension_accountyear
  (person_id, year, opening, months_paid, average_base, credits, interest_opening,
   interest_credits, closing, cumulative_months, rate_ppm, source)
SELECT x.person_id, %(year)s, x.opening, x.months, x.avg_base, x.credits,
       x.i_open, x.i_cred, x.opening + x.credits + x.i_open + x.i_cred,
       x.cum + x.months, %(rate)s, 'closed'
FROM (
  SELECT g.person_id, g.opening, g.credits, g.months, g.cum,
         CASE WHEN g.months = 0 THEN 0
              ELSE (2 * g.base_sum + g.months) / (2 * g.months) END AS avg_base,
         {apply_rates_sql('g.opening', '%(rate)s')} AS i_open,
         (g.credits * CAST(%(rate)s AS BIGINT) * CAST(%(factor)s AS BIGINT)
           + 1000000000000) / 2000000000000 AS i_cred
  FROM (
    SELECT u.person_id, CAST(SUM(u.opening) AS BIGINT) AS opening,
           CAST(SUM(u.cum) AS BIGINT) AS cum, CAST(SUM(u.credits) AS BIGINT) AS credits,
           CAST(SUM(u.base_sum) AS BIGINT) AS base_sum,
           CAST(SUM(u.months) AS BIGINT) AS months
    FROM (
      SELECT person_id, closing AS opening, cumulative_months AS cum, 0 AS credits,
             0 AS base_sum, 0 AS months
      FROM pension_accountyear WHERE year = %(prev)s
      UNION ALL
      SELECT c.person_id, 0, 0, CAST(SUM(c.amount) AS BIGINT), CAST(SUM(c.base) AS BIGINT),
             COUNT(DISTINCT CASE WHEN c.month > %(first)s THEN c.month
                                 WHEN NOT EXISTS (SELECT 1 FROM pension_accountcredit p
                                   WHERE p.person_id = c.person_id AND p.year < %(year)s
                                     AND p.month = c.month) THEN c.month END)
      FROM pension_accountcredit c WHERE c.year = %(year)s GROUP BY c.person_id
    ) u
    GROUP BY u.person_id
    ORDER BY u.person_id
  ) g
) x
WHERE NOT EXISTS (SELECT 1 FROM pension_accountyear d
                  WHERE d.person_id = x.person_id AND d.year = %(year)s)
"""


def account_close_year(year: int, *, actor: Actor = SYSTEM) -> int:
    """Close `year` for every account; returns the number of accounts closed now.

    Refused (nothing changed) for imported or unfinished years and before the previous
    year is closed; a re-run of a closed year changes nothing."""
    if year < FIRST_COMPUTED_YEAR:
        raise CloseYearError(f"{year}年及以前的个人账户为历史导入数据，不在系统中结息")
    if year >= timezone.localdate().year:
        raise CloseYearError(f"{year}年尚未结束，不能结息")
    rate = interest_rate_for_year(year)
    factor = interest_factor_for_year(year)
    if factor is None:
        raise CloseYearError(f"{year}年没有当年记账额计息系数")
    with transaction.atomic():
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # waits for payments booking credits now; holds new ones until committed
                cur.execute("LOCK TABLE pension_closedyear IN EXCLUSIVE MODE")
        last = last_closed_year()
        if year > last + 1:
            raise CloseYearError(f"{year - 1}年尚未结息，不能结息{year}年："
                                 f"请先完成{last + 1}年的结息，逐年办理")
        with connection.cursor() as cur:
            cur.execute(_CLOSE_SQL, {"year": year, "prev": year - 1, "rate": rate.value,
                                     "factor": factor.value, "first": year * 100})
            closed = max(cur.rowcount, 0)
        ClosedYear.objects.get_or_create(
            year=year, defaults={"source": ClosedYear.Source.CLOSED, "accounts": closed,
                                 "closed_at": timezone.now()})
        event_record(actor=actor, action="account_close_year", object_type="year",
                     object_ref=str(year), after={"accounts": closed, "rate_ppm": rate.value})
        fault_point("account_close_year")
    return closed


def imported_years_register(*, actor: Actor = SYSTEM) -> list[int]:
    """Record the years of imported account records (from FIRST_COMPUTED_YEAR) as
    closed: their credits are final, and the first computed close follows them.
    Returns the years registered now (none on a re-run)."""
    known = set(ClosedYear.objects.values_list("year", flat=True))
    counts = {row["year"]: row["n"] for row in AccountYear.objects.filter(
        source=AccountYear.Source.IMPORTED, year__gte=FIRST_COMPUTED_YEAR,
    ).values("year").annotate(n=Count("id")).order_by("year") if row["year"] not in known}
    years = sorted(counts)
    if years:
        now = timezone.now()
        with transaction.atomic():
            ClosedYear.objects.bulk_create(
                ClosedYear(year=y, source=ClosedYear.Source.IMPORTED, closed_at=now,
                           accounts=counts[y]) for y in years)
            event_record(actor=actor, action="account_years_imported", object_type="year",
                         object_ref=f"{years[0]}-{years[-1]}", after={"years": years})
    return years


def statement_rows(person_id: int) -> list[AccountYear]:
    """A person's account history, year by year (对账单)."""
    return list(AccountYear.objects.filter(person_id=person_id).order_by("year"))
