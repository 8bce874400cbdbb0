"""Benchmark of batch-file validation (报盘): a 100,000-row 增员 workbook.

    python -m shebao.bench_batch [--rows 100000] [--append]

Builds, in a temporary directory, an SQLite database (all migrations) with one unit and
some persons the file names (with ended enrolments elsewhere, so the registry rules
find rows), writes an .xlsx of valid rows, then times `batchfile_validate` without and
with the unit. Peak memory: the traced Python allocations of one validation
(tracemalloc, a separate untimed run) and the maximum resident set size of a fresh
process that does nothing but validate the file.
Prints a Markdown block; --append adds it to docs/BENCHMARKS.md. Never run in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 7, 10)
TARGET_S = 10.0
KNOWN_SHARE = 10  # one person in this many is already in the registry


def _setup_django(tmp: Path) -> None:
    os.environ.update(SHEBAO_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="shebao.settings",
                      SHEBAO_DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _people(rows: int, seed: int) -> list[tuple[str, str, str]]:
    """(id, name, hukou) for `rows` distinct valid people aged 20–50 on AS_OF."""
    from shebao.demo.names import MALE_GIVEN, NEUTRAL_GIVEN, SURNAMES
    from shebao.testing import valid_id_number

    rnd = random.Random(seed)
    seen: set[str] = set()
    out: list[tuple[str, str, str]] = []
    while len(out) < rows:
        birth = dt.date(1976, 1, 1) + dt.timedelta(days=rnd.randrange(365 * 28))
        id_number = valid_id_number(birth, rnd.randrange(1, 1000))
        if id_number in seen:
            continue
        seen.add(id_number)
        given = "".join(rnd.choice(MALE_GIVEN + NEUTRAL_GIVEN) for _ in range(rnd.randint(1, 2)))
        name = rnd.choice(SURNAMES)[0] + given
        out.append((id_number, name, rnd.choice(("城镇", "农村"))))
    return out


def _workbook(people: list[tuple[str, str, str]], seed: int) -> bytes:
    from shebao.declarations.batchfiles.kinds import ADD
    from shebao.lib.spreadsheets import SheetSpec, xlsx_write

    rnd = random.Random(seed)
    start = "2025-07"
    rows: list[list[Any]] = [[c.header for c in ADD.columns]]
    for i, (id_number, name, hukou) in enumerate(people):
        reason = "续保" if i % KNOWN_SHARE == 0 else "新参保"
        wage = rnd.randrange(250_000, 5_000_000) / 100  # an Excel number, as typed
        rows.append([id_number, name, hukou, reason, start, wage, f"13{rnd.randrange(10**9):09d}"])
    return xlsx_write([SheetSpec(name="增员", rows=rows)])


def _registry(people: list[tuple[str, str, str]]) -> Any:
    """One declaring unit; every KNOWN_SHAREth person enrolled before elsewhere."""
    from django.db import transaction

    from shebao.registry.models import Enrolment, Person
    from shebao.testing import make_unit

    unit, other = make_unit(), make_unit()
    with transaction.atomic():
        persons = Person.objects.bulk_create([
            Person(id_number=p[0], name=p[1], sex="M", birth_date=dt.date(1985, 1, 1),
                   hukou="urban" if p[2] == "城镇" else "rural")
            for p in people[::KNOWN_SHARE]], batch_size=2000)
        Enrolment.objects.bulk_create([
            Enrolment(person=p, unit=other, insurance="pension", first_month=201501,
                      last_month=202412, start_reason="new") for p in persons],
            batch_size=2000)
    return unit


def _time(label: str, fn: Any, *, repeat: int = 1) -> tuple[float, float, Any]:
    """Best wall-clock time of `repeat` runs, its CPU time, and the last value."""
    best: tuple[float, float] | None = None
    value = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        run = (time.perf_counter() - wall, time.process_time() - cpu)
        best = run if best is None or run[0] < best[0] else best
    assert best is not None
    print(f"  {label}: {best[0]:.2f} s (CPU {best[1]:.2f} s)", file=sys.stderr, flush=True)
    return best[0], best[1], value


def measure(rows: int, seed: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="shebao-bench-batch-") as tmp:
        _setup_django(Path(tmp))
        from shebao.declarations.batchfiles import batchfile_validate

        people = _people(rows, seed)
        gen_s, _, data = _time("write the workbook", lambda: _workbook(people, seed))
        unit = _registry(people)

        def run(with_unit: bool) -> Any:
            return batchfile_validate(data, "bench.xlsx", kind="add",
                                      unit=unit if with_unit else None, as_of=AS_OF)

        plain_s, plain_cpu, plain = _time("validate without unit", lambda: run(False), repeat=3)
        unit_s, unit_cpu, checked = _time("validate with unit", lambda: run(True), repeat=3)
        for result in (plain, checked):
            if not result.ok or result.rows != rows:
                raise SystemExit(f"benchmark file did not validate: {result.errors[:3]}")
        tracemalloc.start()
        run(True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        child = _child_memory(Path(tmp), data, unit.number)
    return {
        "rows": rows, "bytes": len(data), "gen_s": gen_s, "plain_s": plain_s,
        "plain_cpu": plain_cpu, "unit_s": unit_s, "unit_cpu": unit_cpu,
        "load": os.getloadavg()[0], "traced_peak_mb": peak / 2**20,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **child,
    }


def _child_memory(tmp: Path, data: bytes, unit_number: str) -> dict[str, float]:
    """Peak resident memory of a fresh process that only validates the file (with unit)."""
    path = tmp / "bench.xlsx"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "shebao.bench_batch", "--child", str(path),
                          unit_number], check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout))


def child(path: str, unit_number: str) -> None:
    import django

    django.setup()
    from shebao.declarations.batchfiles import batchfile_validate
    from shebao.registry.models import Unit

    unit = Unit.objects.get(number=unit_number)
    data = Path(path).read_bytes()
    base = _peak_rss_mb()
    result = batchfile_validate(data, path, kind="add", unit=unit, as_of=AS_OF)
    assert result.ok
    print(json.dumps({"child_base_mb": base, "child_peak_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries the parent's
    high-water mark across fork and exec, VmHWM starts afresh with the new program."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(r: dict[str, Any], machine: str) -> str:
    ok = "met" if max(r["plain_s"], r["unit_s"]) <= TARGET_S else "MISSED"
    return "\n".join([
        "## Batch files (报盘)",
        "",
        f"Date: {dt.date.today().isoformat()}. Machine: {machine}; SQLite (temporary file).",
        "Command: `.venv/bin/python -m shebao.bench_batch`",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| 增员 workbook, {r['rows']:,} valid rows | {r['bytes'] / 2**20:.1f} MB"
        f" (written in {r['gen_s']:.1f} s) | — |",
        f"| `batchfile_validate` without unit | {r['plain_s']:.2f} s"
        f" (CPU {r['plain_cpu']:.2f} s) | ≤ {TARGET_S:.0f} s |",
        f"| `batchfile_validate` with unit (registry rules) | {r['unit_s']:.2f} s"
        f" (CPU {r['unit_cpu']:.2f} s) | ≤ {TARGET_S:.0f} s ({ok}) |",
        f"| peak traced Python memory of one validation | {r['traced_peak_mb']:.0f} MB | — |",
        f"| peak resident memory of a process that only validates (with unit) |"
        f" {r['child_peak_mb']:.0f} MB ({r['child_base_mb']:.0f} MB before reading the file)"
        " | — |",
        f"| peak resident memory of the whole benchmark (includes writing the file) |"
        f" {r['rss_mb']:.0f} MB | — |",
        "",
        f"Best of 3 runs each. One person in {KNOWN_SHARE} is in the registry with an ended"
        " enrolment elsewhere (declared as 续保). Load average when measured:"
        f" {r['load']:.1f} (other work on the machine inflates wall-clock times; CPU"
        " times are the steadier figure).",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--append", action="store_true", help="append to docs/BENCHMARKS.md")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from shebao.bench import machine

    text = report(measure(args.rows, args.seed), machine())
    print(text)
    if args.append:
        with (ROOT / "docs" / "BENCHMARKS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
