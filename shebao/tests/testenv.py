"""The test run's own var/ (pytest plugin, loaded by ``-p shebao.tests.testenv`` in pyproject).

Tests write nothing outside a temporary directory. Every path setting derives from
SHEBAO_VAR_DIR (the SQLite file, the secret key, the local CA and its CRL, the demo
certificates, static files, uploads, audit anchors), and Django's settings are imported
by pytest-django before any conftest.py is, so the variable is set here, when pytest
loads its plugins: the whole session (and every subprocess it starts) uses a fresh
temporary directory, removed at the end.

The guard: the checkout's var/ (where `make run` keeps the running demo's CA, CRL and
certificates) is listed at the start and again at the end of the session; if a test
added, removed or rewrote anything there the run fails and names the files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]  # shebao/tests/testenv.py
# settings.py defaults SHEBAO_VAR_DIR to ./var; the checkout's var/ too when run elsewhere.
CHECKOUT_VARS = sorted({(Path.cwd() / "var").resolve(), REPO_ROOT / "var"})
# Variables that would point a path setting somewhere else than the temporary var/.
PATH_VARIABLES = ("SHEBAO_AUDIT_ANCHOR_FILE", "SHEBAO_TRUSTED_CA_FILES", "SHEBAO_CRL_FILES")
# A running demo server (`make run`) keeps writing its own SQLite database in var/; tests
# never open it (pytest-django opens only the test database), so its files are not
# compared. Screenshots go to var/ only when SHEBAO_SCREENSHOT_DIR asks for it.
NOT_COMPARED = ("shebao.sqlite3", "shebao.sqlite3-wal", "shebao.sqlite3-shm",
                "shebao.sqlite3-journal")

Snapshot = dict[str, tuple[int, int] | None]


def snapshot(root: Path, *, skip: tuple[Path, ...] = ()) -> Snapshot:
    """Every directory (None) and file ((size, mtime in ns)) under `root`, by path.

    A rewrite changes the modification time even when it writes the same bytes, so an
    unchanged snapshot means the files were left alone."""
    found: Snapshot = {}
    if not root.exists():
        return found
    for directory, dirs, files in os.walk(root):
        here = Path(directory)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skip)
        found[str(here.relative_to(root))] = None
        for name in files:
            if name in NOT_COMPARED and here == root:
                continue
            path = here / name
            info = path.lstat()
            found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns)
    return found


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per path ("added", "removed",
    "changed")."""
    lines = [f"added   {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"removed {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"changed {p}" for p in sorted(before.keys() & after.keys())
              if before[p] != after[p]]
    return lines


def _screenshot_skip() -> tuple[Path, ...]:
    explicit = os.environ.get("SHEBAO_SCREENSHOT_DIR")
    return (Path(explicit).resolve(),) if explicit else ()


VAR_DIR = Path(tempfile.mkdtemp(prefix="shebao-test-var-")).resolve()
_BEFORE = {root: snapshot(root, skip=_screenshot_skip()) for root in CHECKOUT_VARS}
os.environ["SHEBAO_VAR_DIR"] = str(VAR_DIR)
for _name in PATH_VARIABLES:
    os.environ.pop(_name, None)


def checkout_var_changes() -> list[str]:
    """Changes under the checkout's var/ since the session started."""
    return [f"{line}  (in {root})" for root, before in _BEFORE.items()
            for line in changes(before, snapshot(root, skip=_screenshot_skip()))]


_found: list[str] = []


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    _found[:] = checkout_var_changes()
    if _found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _found:
        terminalreporter.section("tests wrote into the checkout's var/", sep="!", red=True)
        for line in _found:
            terminalreporter.write_line(line, red=True)
        terminalreporter.write_line(
            "Tests must write only under a temporary directory (shebao/tests/testenv.py).")


def pytest_unconfigure() -> None:
    shutil.rmtree(VAR_DIR, ignore_errors=True)
