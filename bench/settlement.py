"""`make bench`: measured speed of the hot batch paths at Beijing scale.

    python -m bench [--persons 1000000] [--db sqlite|postgresql|both]

For each database it builds (once, then reuses) a demo city of --persons people (the
registry and imported accounts, no contribution history), then times, in one run and on
the same data, interleaved three times (medians reported, each run listed):
  - the synthetic floor: one wide row per enrolled person for the month with fifteen
    amounts (base, employer, personal × 5 insurances) from constants, into a table
    without indexes that the bench creates and drops (`floor`);
  - a bare INSERT … SELECT writing as many contribution rows (one a person) as
    settlement writes;
  - `settlement_run` for one month (and its re-run); settlement is reported as a ratio
    to the floor;
  - year-end interest for every account (`account_close_year`);
  - for contrast, a naive per-person ORM loop over 10,000 people, extrapolated.
PostgreSQL is used when SHEBAO_BENCH_PG_URL is set (postgresql://user:pass@host/db).
Then, unless --no-batch, the batch-file benchmark (`bench.batch`: a 100,000-row
增员 file validated and applied, a 5,000-row one through the web upload) on its own
temporary SQLite database.
Results are printed as a Markdown block for docs/BENCHMARKS.md. Never run in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from statistics import median
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_YEAR = 2010  # a year with no demo data: the interest benchmark owns it
NAIVE_PERSONS = 10_000
REPETITIONS = 3  # floor, bare statement and settlement, interleaved, this many times
FLOOR_TABLE = "bench_floor"
INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")
# The floor's amounts: base, employer and personal of each insurance, constants (fen).
FLOOR_AMOUNTS = tuple((f"{i}_{part}", 100 * (n + 1) + k)
                      for n, i in enumerate(INSURANCES)
                      for k, part in enumerate(("base", "employer", "personal")))


def city_args(persons: int) -> list[str]:
    """`shebao demo` arguments of the bench city: the registry without contribution
    history (a small city would otherwise get settled, paid and closed months, and the
    bench could not clear the month it measures: its bills would carry allocations)."""
    return ["--persons", str(persons), "--seed", "1", "--today", "2026-11-15", "--no-history"]


def floor(month: int) -> int:
    """The synthetic floor: one wide row per enrolled person (a pension enrolment open in
    `month`: one per person and unit) with the month's fifteen amounts from constants,
    written into a table without indexes, created before and dropped after the timing."""
    from django.db import connection, transaction

    amounts = ", ".join(f"{name} BIGINT NOT NULL" for name, _ in FLOOR_AMOUNTS)
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")
        cur.execute(f"CREATE TABLE {FLOOR_TABLE} (unit_id BIGINT NOT NULL, "
                    f"person_id BIGINT NOT NULL, month INTEGER NOT NULL, {amounts})")
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"""INSERT INTO {FLOOR_TABLE} (unit_id, person_id, month,
                      {', '.join(name for name, _ in FLOOR_AMOUNTS)})
                    SELECT e.unit_id, e.person_id, %(m)s,
                      {', '.join(str(value) for _, value in FLOOR_AMOUNTS)}
                    FROM registry_enrolment e
                    WHERE e.insurance = 'pension' AND e.first_month <= %(m)s
                      AND (e.last_month IS NULL OR e.last_month >= %(m)s)""",
                {"m": month})
            return cur.rowcount
    finally:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE {FLOOR_TABLE}")


def _env(db_url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SHEBAO_DATABASE_URL=db_url, SHEBAO_VAR_DIR=str(var_dir),
               DJANGO_SETTINGS_MODULE="shebao.settings")
    return env


def _city(db_url: str, var_dir: Path, persons: int, *, fresh: bool) -> float | None:
    """Build the city once; returns the build time, or None when reused."""
    stamp = var_dir / f"city-{persons}.json"
    key = json.dumps({"db": db_url.split("@")[-1], "args": city_args(persons)})
    var_dir.mkdir(parents=True, exist_ok=True)
    env = _env(db_url, var_dir)
    shebao = [sys.executable, "-m", "shebao.cli"]
    if stamp.exists() and stamp.read_text() == key and not fresh:
        # a reused city still gets the migrations and policy figures added since it was built
        subprocess.run([*shebao, "migrate", "--noinput", "-v0"], env=env, check=True)
        subprocess.run([*shebao, "policy", "load"], env=env, check=True, capture_output=True)
        return None
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        subprocess.run([*shebao, "flush", "--noinput"], env=env, check=False,
                       capture_output=True)
    subprocess.run([*shebao, "migrate", "--noinput", "-v0"], env=env, check=True)
    # migrations hold no data: the policy figures are loaded by `shebao policy load`
    subprocess.run([*shebao, "policy", "load"], env=env, check=True, capture_output=True)
    started = time.monotonic()
    subprocess.run([*shebao, "demo", *city_args(persons)], env=env, check=True)
    elapsed = time.monotonic() - started
    stamp.write_text(key)
    return elapsed


def _timed(label: str, fn):
    started = time.monotonic()
    value = fn()
    elapsed = time.monotonic() - started
    print(f"  {label}: {elapsed:.1f} s", file=sys.stderr, flush=True)
    return elapsed, value


def inside() -> dict[str, Any]:
    """The measurements, run in a process whose settings point at the bench database."""
    import django

    django.setup()
    from django.db import connection, transaction

    from shebao.contributions.calculator import UnitTerms, contribution_calc
    from shebao.contributions.columns import COLUMNS, row_values
    from shebao.contributions.models import Allocation, Contribution, UnitMonth
    from shebao.contributions.settlement import settlement_run
    from shebao.lib.periods import Month
    from shebao.pension.models import AccountCredit, AccountYear, ClosedYear
    from shebao.pension.services import account_close_year, imported_years_register
    from shebao.policy.selectors import policy_at
    from shebao.registry.models import Enrolment, Person, UnitInjuryRate, WageBase

    month = Month(2026, 10)
    m = int(month)
    results: dict[str, Any] = {"vendor": connection.vendor, "month": str(month)}

    def clear_month() -> None:
        Contribution.objects.filter(bill_month=m).delete()
        # the demo history may have collected the month already: its allocations go
        # first (they protect the bills)
        Allocation.objects.filter(unit_month__month=m).delete()
        UnitMonth.objects.filter(month=m).delete()

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM registry_person")
        results["persons"] = cur.fetchone()[0]
    clear_month()

    def bare() -> int:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"""INSERT INTO contributions_contribution
                     (unit_id, person_id, month, bill_month, kind, {", ".join(COLUMNS)})
                   SELECT e.unit_id, e.person_id, %(m)s, %(m)s, 'regular',
                          {", ".join("0" for _ in COLUMNS)}
                   FROM registry_enrolment e JOIN registry_wagebase w
                     ON w.person_id = e.person_id AND w.unit_id = e.unit_id
                    AND w.policy_year = %(y)s
                   WHERE e.first_month <= %(m)s
                     AND (e.last_month IS NULL OR e.last_month >= %(m)s)
                   GROUP BY e.unit_id, e.person_id""",
                {"m": m, "y": policy_at(month).year_label},
            )
            return cur.rowcount

    # Settlement first writes the 110% default wages; do that outside the timings so
    # every run sees the same wage rows.
    settlement_run(month, bill_month=month, batch_size=5000)
    runs: dict[str, list[float]] = {"floor": [], "bare": [], "settle": [], "rerun": []}
    for rep in range(1, REPETITIONS + 1):
        print(f"  repetition {rep}/{REPETITIONS}", file=sys.stderr, flush=True)
        t_floor, floor_rows = _timed("synthetic floor (one wide row per person)",
                                     lambda: floor(m))
        clear_month()
        t_bare, bare_rows = _timed("bare INSERT … SELECT", bare)
        clear_month()
        t_settle, result = _timed("settlement", lambda: settlement_run(
            month, bill_month=month, batch_size=5000))
        t_rerun, _ = _timed("settlement re-run", lambda: settlement_run(
            month, bill_month=month, batch_size=5000))
        for key, value in (("floor", t_floor), ("bare", t_bare), ("settle", t_settle),
                           ("rerun", t_rerun)):
            runs[key].append(round(value, 2))
    results["runs"] = runs
    settle, floor_s, bare_s = (median(runs[k]) for k in ("settle", "floor", "bare"))
    results.update(floor_rows=floor_rows, floor_s=floor_s, bare_rows=bare_rows, bare_s=bare_s,
                   settle_rows=result.rows, settle_s=settle, rerun_s=median(runs["rerun"]),
                   ratio=round(settle / bare_s, 2) if bare_s else None,
                   floor_ratio=round(settle / floor_s, 2) if floor_s else None,
                   floor_ratios=[round(a / b, 2) if b else None
                                 for a, b in zip(runs["settle"], runs["floor"], strict=True)])

    # Naive contrast: per person, ORM reads per insurance and one INSERT per unit.
    people = list(Enrolment.objects.filter(first_month__lte=m, last_month__isnull=True,
                                           insurance="pension")
                  .values_list("person_id", flat=True)[:NAIVE_PERSONS])
    policy = policy_at(month)

    def naive() -> int:
        written = 0
        with transaction.atomic():
            for person_id in people:
                person = Person.objects.get(id=person_id)
                lines: dict[int, list[Any]] = {}
                for enrolment in Enrolment.objects.filter(person=person, last_month__isnull=True):
                    wage = WageBase.objects.get(person=person, unit_id=enrolment.unit_id,
                                                policy_year=policy.year_label)
                    rate = UnitInjuryRate.objects.filter(
                        unit_id=enrolment.unit_id, first_month__lte=m).order_by(
                        "-first_month").first()
                    assert rate is not None
                    unit = enrolment.unit
                    calc = contribution_calc(policy, wage=wage.wage,
                                             rural=person.hukou == "rural",
                                             unit=UnitTerms(rate.injury_class,
                                                            rate.floating_pct, unit.size))
                    lines.setdefault(enrolment.unit_id, []).append(
                        next(x for x in calc.lines if x.insurance == enrolment.insurance))
                for unit_id, held in lines.items():
                    Contribution.objects.create(unit_id=unit_id, person_id=person_id, month=m,
                                                bill_month=m + 1, **row_values(held))
                    written += 1
            transaction.set_rollback(True)
        return written

    t_naive, naive_rows = _timed(f"naive ORM loop over {len(people)} persons", naive)
    per_person = t_naive / max(len(people), 1)
    extrapolated = per_person * int(results["persons"])
    results.update(naive_persons=len(people), naive_rows=naive_rows, naive_s=round(t_naive, 2),
                   naive_extrapolated_s=round(extrapolated, 1),
                   speedup=round(extrapolated / t_settle, 1) if t_settle else None)

    # Year-end interest: an opening balance and twelve credits for every person in the
    # bench year, then the timed close.
    AccountYear.objects.filter(year__in=(BENCH_YEAR - 1, BENCH_YEAR)).delete()
    AccountCredit.objects.filter(year=BENCH_YEAR).delete()
    ClosedYear.objects.filter(year__gte=BENCH_YEAR - 1).delete()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            """INSERT INTO pension_accountyear (person_id, year, opening, months_paid,
                 average_base, credits, interest_opening, interest_credits, closing,
                 cumulative_months, rate_ppm, source)
               SELECT id, %(y)s, 0, 0, 0, 0, 0, 0, 1000000 + (id %% 9000000), 60, 0,
                      'imported' FROM registry_person""", {"y": BENCH_YEAR - 1})
        for k in range(1, 13):
            cur.execute(
                """INSERT INTO pension_accountcredit (person_id, unit_id, year, month, base,
                     amount, booked_at)
                   SELECT person_id, unit_id, %(y)s, %(mm)s, pension_base,
                          (pension_base * 8 + 50) / 100, %(now)s
                   FROM contributions_contribution
                   WHERE bill_month = %(m)s AND pension_base IS NOT NULL""",
                {"y": BENCH_YEAR, "mm": BENCH_YEAR * 100 + k, "m": m,
                 "now": dt.datetime.now(dt.UTC)})
    imported_years_register()  # the bench year's predecessor, so the bench year may close
    t_interest, closed = _timed("year-end interest",
                                lambda: account_close_year(BENCH_YEAR))
    results.update(interest_accounts=closed, interest_s=round(t_interest, 2))
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return results


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {mem:.0f} GiB, {cpu}, Python {platform.python_version()}"


def report(r: dict[str, Any], build: float | None, size_mb: float | None) -> str:
    lines = [
        f"### {r['vendor']} — {r['persons']:,} persons, month {r['month']}",
        "",
        "| measure | result | target |",
        "|---|---|---|",
    ]
    if build is not None:
        lines.append(f"| build the city (`shebao demo`) | {build:.0f} s | — |")
    if size_mb is not None:
        lines.append(f"| database size | {size_mb:,.0f} MB | — |")
    runs = r["runs"]

    def each(key: str) -> str:
        return " / ".join(f"{v}" for v in runs[key])

    lines += [
        f"| synthetic floor: one wide row per enrolled person, 15 constant amounts, "
        f"no indexes, {r['floor_rows']:,} rows | {r['floor_s']} s ({each('floor')}) | — |",
        f"| bare INSERT … SELECT, {r['bare_rows']:,} rows | {r['bare_s']} s ({each('bare')})"
        " | — |",
        f"| settlement (`settlement_run`), {r['settle_rows']:,} rows | {r['settle_s']} s"
        f" ({each('settle')}) | ≤ 60 s |",
        f"| **settlement ÷ floor** | {r['floor_ratio']}× "
        f"({' / '.join(str(x) for x in r['floor_ratios'])}) | ≤ 4× |",
        f"| settlement ÷ bare | {r['ratio']}× | — |",
        f"| settlement re-run (open month) | {r['rerun_s']} s ({each('rerun')}) | — |",
        f"| year-end interest, {r['interest_accounts']:,} accounts | {r['interest_s']} s |"
        " ≤ 30 s |",
        f"| naive ORM loop, {r['naive_persons']:,} persons | {r['naive_s']} s"
        f" (≈ {r['naive_extrapolated_s']:,} s for all) | — |",
        f"| speed-up of set-based settlement over the naive loop | {r['speedup']}× | — |",
        f"| peak memory of the benchmark process | {r['peak_rss_mb']} MB | — |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--fresh", action="store_true", help="rebuild the city")
    parser.add_argument("--no-batch", action="store_true",
                        help="skip the batch-file benchmark (bench.batch)")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        print(json.dumps(inside()))
        return
    var_dir = ROOT / "var" / "bench"
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(f"sqlite:///{var_dir / 'bench.sqlite3'}")
    pg = os.environ.get("SHEBAO_BENCH_PG_URL")
    if args.db in ("postgresql", "both"):
        if pg:
            targets.append(pg)
        else:
            print("SHEBAO_BENCH_PG_URL not set: skipping PostgreSQL", file=sys.stderr)
    print(f"## Benchmarks {dt.date.today()} — {machine()}\n")
    for url in targets:
        sub = var_dir / ("sqlite" if url.startswith("sqlite") else "pg")
        build = _city(url, sub, args.persons, fresh=args.fresh)
        out = subprocess.run([sys.executable, "-m", "bench.settlement", "--inside"],
                             env=_env(url, sub), cwd=ROOT, check=False, capture_output=True,
                             text=True)
        sys.stderr.write(out.stderr)
        if out.returncode:
            raise SystemExit(f"benchmark failed on {url.split('@')[-1]}")
        results = json.loads(out.stdout.strip().splitlines()[-1])
        size = None
        if url.startswith("sqlite"):
            size = Path(url.removeprefix("sqlite:///")).stat().st_size / 2**20
        print(report(results, build, size) + "\n", flush=True)
    if not args.no_batch:
        out = subprocess.run([sys.executable, "-m", "bench.batch"], cwd=ROOT, check=False,
                             capture_output=True, text=True)
        sys.stderr.write(out.stderr)
        if out.returncode:
            raise SystemExit("batch-file benchmark failed")
        print(out.stdout, flush=True)


if __name__ == "__main__":
    main()
