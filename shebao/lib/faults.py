"""A fault-injection point for crash and concurrency tests: nothing happens unless the
environment asks for it.

`SHEBAO_FAULT_PAUSE=<point>:<marker file>` makes the process that reaches
`fault_point("<point>")` write its pid to the marker file and wait there, inside
whatever transaction it is in, until a file named `<marker file>.release` appears (then
it carries on) or `SHEBAO_FAULT_PAUSE_SECONDS` (default 60) have passed. A test starts a
real command with it, waits for the marker, and then kills the process (SIGKILL) or
releases it while it holds its locks. Documented in docs/DEVELOPERS.md.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

ENV = "SHEBAO_FAULT_PAUSE"
POLL_SECONDS = 0.05


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    point, _, marker = spec.partition(":")
    if point != name or not marker:
        return
    Path(marker).write_text(str(os.getpid()))
    release = Path(f"{marker}.release")
    deadline = time.monotonic() + float(os.environ.get(f"{ENV}_SECONDS", "60"))
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
