"""Benchmark of batch files (报盘): a 100,000-row 增员 workbook validated and applied,
and a 5,000-row one end to end through the web upload.

    python -m bench.batch [--rows 100000] [--web-rows 5000] [--append]
    python -m bench.batch --city var/bench/bench.sqlite3 [--as-of 2026-11-15]

Builds, in a temporary directory, an SQLite database (all migrations) with one unit and
some persons the file names (with ended enrolments elsewhere, so the registry rules
find rows), writes an .xlsx of valid rows, then times `batchfile_validate` without and
with the unit. Peak memory: the traced Python allocations of one validation
(tracemalloc, a separate untimed run) and the maximum resident set size of a fresh
process that does nothing but validate the file.

Apply: the validated records become a draft (`declaration_create`), and a fresh process
times `declaration_submit`, which applies it (persons, enrolments, wage bases) and
commits; its peak resident memory is reported with it.

Web: a unit with a certificate from a local CA logs in with django.test.Client, posts a
5,000-row .xlsx to /unit/declarations/upload/, opens the confirm page, fetches the
canonical content, signs it with the certificate's key and posts the signature, then
opens the receipt; each step is timed.

City (--city PATH): instead of the small registry, a temporary copy of the SQLite
database at PATH (the million-person city of `make bench`, migrated if it is behind);
on it, `batchfile_validate` with one of its units (best of 3) and the apply in a fresh
process, for a file in which one row in KNOWN_SHARE names a person of the city whose
enrolments have all ended (续保) and the others new ID numbers. The copy is deleted at
the end, also on failure. Only these two parts run; no web part.

Prints a Markdown block; --append adds it to docs/BENCHMARKS.md. Never run in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import resource
import shutil
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
APPLY_TARGET_S = 30.0
WEB_TARGET_S = 10.0
KNOWN_SHARE = 10  # one person in this many is already in the registry
CITY_AS_OF = dt.date(2026, 11, 15)  # the --today the `make bench` city was built for


def _setup_django(tmp: Path) -> None:
    os.environ.update(SHEBAO_VAR_DIR=str(tmp), DJANGO_SETTINGS_MODULE="shebao.settings",
                      SHEBAO_DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("policy", "load", verbosity=0)


def _people(rows: int, seed: int, skip: set[str] | None = None) -> list[tuple[str, str, str]]:
    """(id, name, hukou) for `rows` distinct valid people aged 20–50 on AS_OF, none of
    them in `skip`."""
    from shebao.demo.names import MALE_GIVEN, NEUTRAL_GIVEN, SURNAMES
    from shebao.lib.idnumbers import valid_id_number

    rnd = random.Random(seed)
    seen: set[str] = set(skip or ())
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


def _workbook(people: list[tuple[str, str, str]], seed: int, start: str = "2025-07") -> bytes:
    from shebao.declarations.batchfiles.kinds import ADD
    from shebao.lib.spreadsheets import SheetSpec, xlsx_write

    rnd = random.Random(seed)
    rows: list[list[Any]] = [[c.header for c in ADD.columns]]
    for i, (id_number, name, hukou) in enumerate(people):
        reason = "续保" if i % KNOWN_SHARE == 0 else "新参保"
        wage = rnd.randrange(250_000, 5_000_000) / 100  # an Excel number, as typed
        rows.append([id_number, name, hukou, reason, start, wage, f"13{rnd.randrange(10**9):09d}"])
    return xlsx_write([SheetSpec(name="增员", rows=rows)])


def _registry(people: list[tuple[str, str, str]], unit: Any = None) -> Any:
    """One declaring unit; every KNOWN_SHAREth person enrolled before elsewhere."""
    from django.db import transaction

    from shebao.registry.models import Enrolment, Person
    from shebao.tests.helpers import make_unit

    unit, other = unit or make_unit(), make_unit()
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


def _validate(data: bytes, unit: Any, as_of: dt.date = AS_OF) -> Any:
    from shebao.declarations.batchfiles import batchfile_validate

    return batchfile_validate(data, "bench.xlsx", kind="add", unit=unit, as_of=as_of)


def _validate_timed(label: str, data: bytes, rows: int, unit: Any,
                    as_of: dt.date = AS_OF) -> tuple[float, float, Any]:
    """Best of 3 validations of the file (the registry rules when `unit` is given), which
    must accept all `rows` rows."""
    wall, cpu, result = _time(label, lambda: _validate(data, unit, as_of), repeat=3)
    if not result.ok or result.rows != rows:
        raise SystemExit(f"benchmark file did not validate: {result.errors[:3]}")
    return wall, cpu, result


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


def measure(rows: int, web_rows: int, seed: int) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shebao-bench-batch-") as tmp:
        _setup_django(Path(tmp))
        people = _people(rows, seed)
        gen_s, _, data = _time("write the workbook", lambda: _workbook(people, seed))
        unit = _registry(people)
        plain_s, plain_cpu, _ = _validate_timed("validate without unit", data, rows, None)
        unit_s, unit_cpu, checked = _validate_timed("validate with unit", data, rows, unit)
        tracemalloc.start()
        _validate(data, unit)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        child = _child_memory(Path(tmp), data, unit.number)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        applied = _apply(checked, unit)
        web = measure_web(Path(tmp), web_rows, seed + 1)
    return {
        "rows": rows, "bytes": len(data), "gen_s": gen_s, "plain_s": plain_s,
        "plain_cpu": plain_cpu, "unit_s": unit_s, "unit_cpu": unit_cpu,
        "load_before": load_before, "load": os.getloadavg()[0],
        "traced_peak_mb": peak / 2**20, "rss_mb": rss_mb, **child, **applied, **web,
    }


# --- apply -------------------------------------------------------------------------------


def _apply(checked: Any, unit: Any, as_of: dt.date = AS_OF) -> dict[str, Any]:
    """The validated records as a draft (timed here), then applied in a fresh process
    (submitted on `as_of`)."""
    from shebao.audit.services import Actor
    from shebao.declarations.models import Source
    from shebao.declarations.services import declaration_create

    create_s, create_cpu, draft = _time("create the draft", lambda: declaration_create(
        unit=unit, records=checked.records, source=Source.BATCH, file_digest=checked.digest,
        file_name="bench.xlsx", actor=Actor("unit", unit.number)))
    out = subprocess.run([sys.executable, "-m", "bench.batch", "--child-apply",
                          str(draft.pk), as_of.isoformat()], cwd=ROOT, check=False,
                         capture_output=True, text=True)
    sys.stderr.write(out.stderr)
    if out.returncode:
        raise SystemExit("the apply process failed")
    return {"create_s": create_s, "create_cpu": create_cpu, **json.loads(out.stdout)}


def child_apply(declaration_pk: str, submitted: str) -> None:
    """Submit (and so apply) the draft on the date `submitted`; time, memory and what it
    wrote, as JSON."""
    import django

    django.setup()
    from django.conf import settings

    from shebao.audit.services import Actor
    from shebao.declarations import effects
    from shebao.declarations.models import Declaration, Status
    from shebao.declarations.services import declaration_submit
    from shebao.lib.periods import Month
    from shebao.policy.selectors import policy_at
    from shebao.registry.models import Enrolment, Person, WageBase

    draft = Declaration.objects.select_related("unit").get(pk=int(declaration_pk))
    unit, today = draft.unit, dt.date.fromisoformat(submitted)
    inner: dict[str, float] = {}
    apply = effects.declaration_apply

    def timed_apply(*args: Any) -> None:  # the effects alone, within the submit
        started = time.perf_counter()
        apply(*args)
        inner["effects_s"] = time.perf_counter() - started

    effects.declaration_apply = timed_apply  # type: ignore[assignment]
    policy_at(Month.of(today))  # the policy table, as a running server has it loaded
    counts = (Person.objects.count(), Enrolment.objects.count(), WageBase.objects.count())
    base = _peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    done = declaration_submit(draft, signed=None, actor=Actor("unit", unit.number),
                              today=today, cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _peak_rss_mb()
    print(f"  apply (declaration_submit): {wall:.2f} s (CPU {cpu:.2f} s)", file=sys.stderr)
    lines = done.lines.count()
    if done.status != Status.EFFECTIVE or done.lines.filter(person__isnull=True).exists():
        raise SystemExit("the declaration was not applied")
    print(json.dumps({
        "apply_s": wall, "apply_cpu": cpu, "apply_base_mb": base, "apply_peak_mb": peak,
        "apply_effects_s": inner["effects_s"],
        "apply_lines": lines, "apply_persons": Person.objects.count() - counts[0],
        "apply_enrolments": Enrolment.objects.count() - counts[1],
        "apply_wages": WageBase.objects.count() - counts[2],
        "registry_persons": counts[0], "registry_enrolments": counts[1],
    }))


# --- against the million-person city -------------------------------------------------------


def measure_city(city: Path, rows: int, seed: int, as_of: dt.date) -> dict[str, Any]:
    """Validation with a unit and the apply on a temporary copy of the city at `city`."""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shebao-bench-city-") as tmp:
        copy_s, _, _ = _time("copy the city", lambda: _city_copy(city, Path(tmp)))
        migrate_s, _, _ = _time("migrate the copy", lambda: _setup_django(Path(tmp)))
        from django.conf import settings

        from shebao.declarations.services import effective_month
        from shebao.registry.models import Enrolment

        start = effective_month(as_of, settings.DECLARATION_CUTOFF_DAY)
        unit = _city_unit()
        wanted = -(-rows // KNOWN_SHARE)
        resumed = _city_resumers(wanted, int(start))
        if len(resumed) < wanted:
            print(f"  only {len(resumed):,} persons of the city can resume (续保), not"
                  f" {wanted:,}: the file has {len(resumed) * KNOWN_SHARE:,} rows",
                  file=sys.stderr)
            rows = len(resumed) * KNOWN_SHARE
        fresh = iter(_people(rows - len(resumed), seed, skip=_known_ids()))
        people = [resumed[i // KNOWN_SHARE] if i % KNOWN_SHARE == 0 else next(fresh)
                  for i in range(rows)]
        data = _workbook(people, seed, start=str(start))
        unit_s, unit_cpu, checked = _validate_timed("validate with unit", data, rows, unit,
                                                    as_of)
        applied = _apply(checked, unit, as_of)
        size_mb = (Path(tmp) / "bench.sqlite3").stat().st_size / 2**20
        unit_enrolments = Enrolment.objects.filter(unit=unit).count()
    return {
        "rows": rows, "resumed": len(resumed), "bytes": len(data), "as_of": as_of,
        "start": str(start), "copy_s": copy_s, "migrate_s": migrate_s,
        "unit_s": unit_s, "unit_cpu": unit_cpu, "size_mb": size_mb,
        "unit_number": unit.number, "unit_insurances": len(unit.insurance_set),
        "unit_enrolments": unit_enrolments,
        "load_before": load_before, "load": os.getloadavg()[0], **applied,
    }


def _city_copy(city: Path, tmp: Path) -> None:
    """The city's database (and its write-ahead log, if one is left) as the benchmark
    database in `tmp`; the city itself is only read."""
    if not city.is_file():
        raise SystemExit(f"--city: no database at {city}")
    for suffix in ("", "-wal"):
        source = Path(f"{city}{suffix}")
        if source.exists():
            shutil.copyfile(source, tmp / f"bench.sqlite3{suffix}")


def _city_unit() -> Any:
    """The first independent unit of the city that declares online (certificate login
    is not part of this measure: `declaration_submit` takes no signature here)."""
    from shebao.registry.choices import EnrolmentMode, OnlineStatus
    from shebao.registry.models import Unit

    unit = Unit.objects.filter(online_status=OnlineStatus.OPEN,
                               enrolment_mode=EnrolmentMode.INDEPENDENT).order_by("pk").first()
    if unit is None:
        raise SystemExit("--city: the database has no unit that declares online")
    return unit


def _city_resumers(count: int, start: int) -> list[tuple[str, str, str]]:
    """(id, name, hukou as the file writes it) of up to `count` persons of the registry
    who can resume (续保) from the month `start`: enrolled before, every enrolment ended
    before `start` and not by retirement or death, born 1976 or later (well under the
    retirement age). One query."""
    from django.db import connection

    from shebao.registry.choices import EndReason, Hukou

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id_number, p.name, p.hukou FROM registry_person p"
            " WHERE p.birth_date >= %s"
            " AND EXISTS (SELECT 1 FROM registry_enrolment e WHERE e.person_id = p.id)"
            " AND NOT EXISTS (SELECT 1 FROM registry_enrolment e WHERE e.person_id = p.id"
            "  AND (e.last_month IS NULL OR e.last_month >= %s OR e.end_reason IN (%s, %s)))"
            " ORDER BY p.id LIMIT %s",
            ["1976-01-01", start, EndReason.RETIRED, EndReason.DECEASED, count])
        return [(id_number, name, Hukou(hukou).label)
                for id_number, name, hukou in cursor.fetchall()]


def report_city(r: dict[str, Any], machine: str, command: str) -> str:
    return "\n".join([
        "### Against the million-person city",
        "",
        f"Date: {dt.date.today().isoformat()}. Machine: {machine}; SQLite, a temporary copy"
        f" of the city ({r['size_mb']:,.0f} MB after the apply; copied in {r['copy_s']:.0f} s,"
        f" migrated in {r['migrate_s']:.1f} s). Load average (1 min) {r['load_before']:.1f}"
        f" at the start, {r['load']:.1f} at the end.",
        f"Command: `{command}`",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| `batchfile_validate` with unit (registry rules against"
        f" {r['registry_persons']:,} persons), {r['rows']:,} rows | {r['unit_s']:.2f} s"
        f" (CPU {r['unit_cpu']:.2f} s) | ≤ {TARGET_S:.0f} s ({_met(r['unit_s'], TARGET_S)}) |",
        f"| the validated records as a draft (`declaration_create`) | {r['create_s']:.2f} s"
        f" (CPU {r['create_cpu']:.2f} s) | — |",
        f"| apply: `declaration_submit` ({r['apply_persons']:,} persons,"
        f" {r['apply_enrolments']:,} enrolments, {r['apply_wages']:,} wage bases written)"
        f" | {r['apply_s']:.2f} s (CPU {r['apply_cpu']:.2f} s; `declaration_apply`"
        f" {r['apply_effects_s']:.2f} s) | ≤ {APPLY_TARGET_S:.0f} s"
        f" ({_met(r['apply_s'], APPLY_TARGET_S)}) |",
        f"| peak resident memory of the apply process | {r['apply_peak_mb']:.0f} MB"
        f" ({r['apply_base_mb']:.0f} MB before) | — |",
        "",
        f"Declared on {r['as_of']}, start month {r['start']}, by unit {r['unit_number']}"
        f" ({r['unit_insurances']} insurances; {r['unit_enrolments']:,} enrolment rows after"
        f" the apply). The registry before the apply: {r['registry_persons']:,} persons,"
        f" {r['registry_enrolments']:,} enrolments. {r['resumed']:,} rows (one in"
        f" {KNOWN_SHARE}) name persons of the city whose enrolments have all ended (续保);"
        " the others new ID numbers not in the registry.",
    ])


# --- end to end through the web ------------------------------------------------------------


def measure_web(tmp: Path, rows: int, seed: int) -> dict[str, Any]:
    """A 5,000-row 增员 file through login, upload, confirm, content, signature, receipt."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings

    from shebao.certauth.ca import ca_init
    from shebao.certauth.tests.helpers import unit_with_certificate
    from shebao.declarations.models import Declaration, Status
    from shebao.declarations.tests.helpers import effective, unit_login
    from shebao.registry.models import Enrolment

    ca_init()
    holder = unit_with_certificate(tmp / "certs", name="北京报盘压测科技有限公司")
    people = _people(rows, seed, skip=_known_ids())
    _registry(people, unit=holder.unit)
    data = _workbook(people, seed, start=str(effective()))
    storages = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    (tmp / "static").mkdir()
    steps: dict[str, float] = {}

    def step(name: str, fn: Any, status: int = 200) -> Any:
        wall = time.perf_counter()
        response = fn()
        steps[name] = time.perf_counter() - wall
        print(f"  web {name}: {steps[name]:.2f} s", file=sys.stderr, flush=True)
        if response.status_code != status:
            raise SystemExit(f"web {name}: HTTP {response.status_code}"
                             f" {response.content[:500]!r}")
        return response

    with override_settings(STORAGES=storages, STATIC_ROOT=tmp / "static"):
        client = Client(HTTP_HOST="localhost")
        wall = time.perf_counter()
        unit_login(client, holder)
        login_s = time.perf_counter() - wall
        started = time.perf_counter()
        cpu = time.process_time()
        upload = SimpleUploadedFile("增员报盘.xlsx", data)
        moved = step("upload (validate, create the draft)", lambda: client.post(
            "/unit/declarations/upload/", {"kind": "add", "file": upload}), status=302)
        confirm = str(moved["Location"])
        step("confirm page", lambda: client.get(confirm))
        content = step("canonical content", lambda: client.get(f"{confirm}content/"))
        text = content.content.decode("utf-8")
        body = {"certificate": holder.cert_pem,
                "content_digest": hashlib.sha256(text.encode("utf-8")).hexdigest()}
        wall = time.perf_counter()
        body["signature"] = holder.sign(text)
        steps["sign (client side)"] = time.perf_counter() - wall
        submitted = step("submit (verify, apply)", lambda: client.post(
            f"{confirm}submit/", body, content_type="application/json"))
        receipt = submitted.json()["next"]
        step("receipt page", lambda: client.get(receipt))
        total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
    done = Declaration.objects.get(receipt_no=submitted.json()["receipt_no"])
    enrolled = Enrolment.objects.filter(unit=holder.unit, first_month=int(effective()))
    if (done.status, done.lines.count()) != (Status.EFFECTIVE, rows) or (
            enrolled.values("person").distinct().count() != rows):
        raise SystemExit("the uploaded file was not applied")
    return {"web_rows": rows, "web_bytes": len(data), "web_login_s": login_s,
            "web_steps": steps, "web_s": total, "web_cpu": total_cpu}


def _known_ids() -> set[str]:
    from shebao.registry.models import Person

    return set(Person.objects.values_list("id_number", flat=True))


def _child_memory(tmp: Path, data: bytes, unit_number: str) -> dict[str, float]:
    """Peak resident memory of a fresh process that only validates the file (with unit)."""
    path = tmp / "bench.xlsx"
    path.write_bytes(data)
    out = subprocess.run([sys.executable, "-m", "bench.batch", "--child", str(path),
                          unit_number], cwd=ROOT, check=True, capture_output=True, text=True)
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


def _met(seconds: float, target: float) -> str:
    return "met" if seconds <= target else "MISSED"


def report(r: dict[str, Any], machine: str) -> str:
    validate = max(r["plain_s"], r["unit_s"])
    steps = "; ".join(f"{name} {sec:.2f} s" for name, sec in r["web_steps"].items())
    return "\n".join([
        "## Batch files (报盘)",
        "",
        f"Date: {dt.date.today().isoformat()}. Machine: {machine}; SQLite (temporary file)."
        f" Load average (1 min) {r['load_before']:.1f} at the start, {r['load']:.1f} at"
        " the end.",
        "Command: `.venv/bin/python -m bench.batch`",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| 增员 workbook, {r['rows']:,} valid rows | {r['bytes'] / 2**20:.1f} MB"
        f" (written in {r['gen_s']:.1f} s) | — |",
        f"| `batchfile_validate` without unit | {r['plain_s']:.2f} s"
        f" (CPU {r['plain_cpu']:.2f} s) | ≤ {TARGET_S:.0f} s |",
        f"| `batchfile_validate` with unit (registry rules) | {r['unit_s']:.2f} s"
        f" (CPU {r['unit_cpu']:.2f} s) | ≤ {TARGET_S:.0f} s ({_met(validate, TARGET_S)}) |",
        f"| peak traced Python memory of one validation | {r['traced_peak_mb']:.0f} MB | — |",
        f"| peak resident memory of a process that only validates (with unit) |"
        f" {r['child_peak_mb']:.0f} MB ({r['child_base_mb']:.0f} MB before reading the file)"
        " | — |",
        f"| peak resident memory of the validation part (includes writing the file) |"
        f" {r['rss_mb']:.0f} MB | — |",
        f"| the validated records as a draft (`declaration_create`, {r['rows']:,} lines) |"
        f" {r['create_s']:.2f} s (CPU {r['create_cpu']:.2f} s) | — |",
        f"| apply: `declaration_submit` of the draft ({r['apply_persons']:,} persons,"
        f" {r['apply_enrolments']:,} enrolments, {r['apply_wages']:,} wage bases written)"
        f" | {r['apply_s']:.2f} s (CPU {r['apply_cpu']:.2f} s; the effects alone,"
        f" `declaration_apply`, {r['apply_effects_s']:.2f} s) |"
        f" ≤ {APPLY_TARGET_S:.0f} s ({_met(r['apply_s'], APPLY_TARGET_S)}) |",
        f"| peak resident memory of a process that only applies | {r['apply_peak_mb']:.0f} MB"
        f" ({r['apply_base_mb']:.0f} MB before) | — |",
        f"| web, {r['web_rows']:,}-row 增员 .xlsx ({r['web_bytes'] / 2**10:.0f} KB) end to"
        f" end: upload → confirm → content → sign → submit → receipt | {r['web_s']:.2f} s"
        f" (CPU {r['web_cpu']:.2f} s) | ≤ {WEB_TARGET_S:.0f} s"
        f" ({_met(r['web_s'], WEB_TARGET_S)}) |",
        "",
        f"Validation: best of 3 runs each. Apply: one run, in a fresh process, on a registry"
        f" of {r['registry_persons']:,} persons and {r['registry_enrolments']:,} enrolments."
        f" One person in {KNOWN_SHARE} is in the registry with an ended enrolment elsewhere"
        " (declared as 续保). Web steps (django.test.Client, the whole Django stack without"
        f" a network; unit login before, {r['web_login_s']:.2f} s, not counted): {steps}."
        " Other work on the machine inflates wall-clock times; CPU times are the steadier"
        " figure.",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--web-rows", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--append", action="store_true", help="append to docs/BENCHMARKS.md")
    parser.add_argument("--city", type=Path, help="measure validation with a unit and the"
                        " apply on a temporary copy of this SQLite database (a city)")
    parser.add_argument("--as-of", type=dt.date.fromisoformat,
                        help=f"declaration date with --city (default {CITY_AS_OF})")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-apply", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.child_apply:
        child_apply(*args.child_apply)
        return
    from bench.settlement import machine

    if args.city:
        if args.append:
            parser.error("--append does not go with --city: add the block by hand")
        command = " ".join(["python -m bench.batch", *sys.argv[1:]])
        print(report_city(measure_city(args.city, args.rows, args.seed,
                                       args.as_of or CITY_AS_OF), machine(), command))
        return
    text = report(measure(args.rows, args.web_rows, args.seed), machine())
    print(text)
    if args.append:
        with (ROOT / "docs" / "BENCHMARKS.md").open("a", encoding="utf-8") as fh:
            fh.write("\n" + text + "\n")


if __name__ == "__main__":
    main()
