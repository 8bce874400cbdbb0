"""Crash tests: a real command in a subprocess, paused at a fault-injection point inside
its transaction (lib/faults.py), killed with SIGKILL, then looked at from outside.

`CrashDb` gives the subprocesses the test's own database: on PostgreSQL the test
database itself (the test must be transactional, so that what it sets up is committed
and the subprocesses see it); on SQLite, whose test database lives in memory, a copy of
it in a file under the test's tmp_path, taken with SQLite's backup API after the setup.
Each subprocess gets its own SHEBAO_VAR_DIR under tmp_path: nothing is written
elsewhere.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.db import connection

import shebao
from shebao.lib.faults import ENV as FAULT_ENV

ROOT = Path(shebao.__file__).resolve().parent.parent
WAIT_SECONDS = 60


class CrashDb:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.url = ""

    def publish(self) -> None:
        """Make what the test has set up visible to subprocesses (call after setup)."""
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            path = self.tmp_path / "crash.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(path)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            self.url = f"sqlite:///{path}"
        else:
            self.url = (f"postgresql://{settings['USER']}:{settings['PASSWORD']}@"
                        f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
                        f"{settings['NAME']}")

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(FAULT_ENV)}
        env.update(SHEBAO_DATABASE_URL=self.url, DJANGO_SETTINGS_MODULE="shebao.settings",
                   SHEBAO_VAR_DIR=str(self.tmp_path / "var"),
                   PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]),
                   **extra)
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `python -m <args>` to completion; it must succeed."""
        done = subprocess.run([sys.executable, "-m", *args], env=self.env(), cwd=self.tmp_path,
                              capture_output=True, text=True, timeout=WAIT_SECONDS, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def driver(self, *args: str) -> Any:
        """The JSON that shebao.tests.crash_driver prints."""
        return json.loads(self.run("shebao.tests.crash_driver", *args).stdout)

    def paused_at(self, point: str, *args: str) -> subprocess.Popen[str]:
        """Start `python -m <args>` and return once it waits at fault point `point`
        (inside its transaction, holding what it has locked)."""
        marker = self.marker(point)
        marker.unlink(missing_ok=True)
        process = subprocess.Popen(
            [sys.executable, "-m", *args], cwd=self.tmp_path,
            env=self.env(**{FAULT_ENV: f"{point}:{marker}"}),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + WAIT_SECONDS
        while not marker.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{point} not reached: {process.communicate()[1]}")
            time.sleep(0.05)
        return process

    def marker(self, point: str) -> Path:
        return self.tmp_path / f"{point}.paused"

    def release(self, point: str, process: subprocess.Popen[str]) -> str:
        """Let a paused process carry on; its stdout once it has succeeded."""
        Path(f"{self.marker(point)}.release").touch()
        out, err = process.communicate(timeout=WAIT_SECONDS)
        assert process.returncode == 0, err[-3000:]
        return out

    def kill_at(self, point: str, *args: str) -> None:
        """Start `python -m <args>`, wait until it pauses at fault point `point` (inside
        its transaction), and kill it with SIGKILL."""
        process = self.paused_at(point, *args)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=WAIT_SECONDS)
        assert process.returncode == -signal.SIGKILL
