"""Root pytest fixtures.

Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright's sync API
against pytest-django's ``live_server``. docs/DEVELOPERS.md explains the choices; in short:

* A test is a browser test when it uses the ``page``, ``browser`` or ``screenshot``
  fixture: it is marked ``browser`` automatically (``pytest -m browser`` selects them,
  ``-m "not browser"`` leaves them out) and runs after every other test.
* Without /usr/bin/chromium (or ``$SHEBAO_CHROMIUM``), or without the playwright
  package, browser tests are skipped with the reason; with ``SHEBAO_REQUIRE_BROWSER=1``
  they fail instead (CI).
* Playwright's sync API keeps an asyncio loop "running" in the test thread for as long
  as it is started, so Django's async-safety check would refuse every ORM call made by
  the test, by pytest-django's flush and by serialized rollback. While the session's
  Playwright is alive, ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set: the loop never runs
  concurrently with test code (it only runs inside a Playwright call), so the check is a
  false positive here. The running loop also makes Django look up database connections
  in a different (empty) store; the ``browser`` fixture puts the thread's connections
  there, so tests, live server and rollback keep using the same ones. Browser tests run
  last, so no other test sees any of this.
* ``live_server`` makes a test transactional and the tables are flushed after it, which
  would also remove the shipped policy parameters loaded at setup (``django_db_setup``
  below). ``page`` requests serialized rollback: the test database is serialized once
  after that setup and restored before each browser test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Error, Page, ViewportSize
    from pytest_django.live_server_helper import LiveServer

# Debian's Chromium; SHEBAO_CHROMIUM points elsewhere (another distribution, or a missing
# path to check the skip logic).
CHROMIUM = Path(os.environ.get("SHEBAO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",  # the browser's own controls (file buttons) in Chinese, as in Beijing
]
BROWSER_FIXTURES = frozenset({"browser", "page", "screenshot"})
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


# --- collection: mark browser tests, run them last ------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> Generator[None, None, None]:
    # Before the other hooks, so that `-m browser` / `-m "not browser"` see the marker.
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    result = yield
    # After pytest-django has ordered the tests (plain, then transactional, then no-db):
    # browser tests go last, so Playwright (and DJANGO_ALLOW_ASYNC_UNSAFE) starts only
    # once every other test has run. The sort is stable.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    return result


def _browser_unavailable() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("SHEBAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test cannot run: {reason} (SHEBAO_REQUIRE_BROWSER=1)",
                    pytrace=False)
    pytest.skip(f"browser test skipped: {reason}; SHEBAO_REQUIRE_BROWSER=1 makes this fail")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Decide before any fixture (live server, database) is set up.
    if item.get_closest_marker("browser") is not None:
        reason = _browser_unavailable()
        if reason:
            _skip_or_fail(reason)


# --- static files in tests -----------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _static_files_from_finders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Serve static files from the apps in tests, without a collectstatic manifest.

    Production uses whitenoise's manifest storage, whose {% static %} needs the manifest
    written by `shebao collectstatic`; tests render pages without running it.
    """
    from django.conf import settings
    from django.test import override_settings

    storages = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    static_root = tmp_path_factory.mktemp("static")  # whitenoise warns when it is missing
    with override_settings(STORAGES=storages, STATIC_ROOT=static_root):
        yield


# --- the test database ---------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The test database as deployed: migrated, then the shipped policy file loaded.

    Migrations hold no data (`shebao policy load` loads the figures, see policy/0002), so
    the setup loads it here, without an audit event (tests count events from zero). The
    serialized copy that browser tests are restored from is taken again, with the rows.
    """
    from django.db import connections

    from shebao.policy.loader import policy_file_load

    with django_db_blocker.unblock():
        policy_file_load()
        for connection in connections.all():
            if getattr(connection, "_test_serialized_contents", None) is not None:
                connection._test_serialized_contents = (  # type: ignore[attr-defined]
                    connection.creation.serialize_db_to_string())


# --- browser fixtures ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session, driven by Playwright's sync API."""
    reason = _browser_unavailable()
    if reason:
        _skip_or_fail(reason)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Django keeps database connections in a thread-critical asgiref Local, which holds
    # one set per thread *unless an event loop is running*, when it switches to a
    # context-variable set that starts empty. Playwright's loop would thus give the
    # tests new connection objects: without the test database's serialized contents
    # (no serialized rollback) and, with in-memory SQLite, not the connection the live
    # server shares. Put the thread's own connections into that set too.
    originals = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in originals.items():
        connections[alias] = connection
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(
    browser: Browser,
    live_server: LiveServer,
    django_db_serialized_rollback: None,
) -> Iterator[Page]:
    """A fresh zh-CN browser tab whose relative URLs go to the live server.

    The test fails if the page reports a Content-Security-Policy violation or an
    uncaught script error: those are silent to the user but mean something is broken.
    """
    context = browser.new_context(
        locale="zh-CN", viewport=VIEWPORT, base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP violation on {tab.url}: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"script error on {tab.url}: {error}")

    tab.on("console", on_console)
    tab.on("pageerror", on_page_error)
    try:
        yield tab
    finally:
        context.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


_screenshot_dirs: list[Path] = []


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$SHEBAO_SCREENSHOT_DIR, else `screenshots/` in the session's temporary directory
    (pytest keeps the last three); the path is printed at the end of the session."""
    explicit = os.environ.get("SHEBAO_SCREENSHOT_DIR")
    directory = Path(explicit) if explicit else tmp_path_factory.getbasetemp() / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    _screenshot_dirs.append(directory.resolve())
    return directory


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for directory in _screenshot_dirs:
        count = sum(1 for _ in directory.glob("*.png"))
        terminalreporter.write_line(f"screenshots ({count}): {directory}")


def _guide_copy(path: Path) -> None:
    """`make guide`: a screenshot the 操作指南 shows replaces its copy in the guide's
    static directory (under version control), reduced to 128 colours (a third of the
    bytes; pages are flat colours and text)."""
    from PIL import Image

    from shebao.reports.guide import GUIDE_DIR, guide_shots

    if path.stem in guide_shots():
        with Image.open(path) as image:
            image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
                GUIDE_DIR / path.name, optimize=True)


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], Path]:
    """`screenshot(page, name)` saves a full-page PNG as <screenshot_dir>/<name>.png."""

    def take(page: Page, name: str, **options: Any) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, **options)
        if os.environ.get("SHEBAO_GUIDE_SCREENSHOTS") == "1":
            _guide_copy(path)
        return path

    return take


# --- policy cache ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_policy_cache(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test reads the policy rows of its own database, never a cached table from a
    test that changed rows and rolled back.

    Tests run in one process, where a staff correction clears the table at once; the
    periodic version re-check (for other processes) would add a query whenever a test
    happens to run slower than RECHECK_SECONDS, making query counts depend on the
    machine's load, so it is held off here and tested on its own (test_policy_at)."""
    from shebao.policy import selectors

    monkeypatch.setattr(selectors, "RECHECK_SECONDS", 3600.0)
    selectors.clear_cache()
    yield
    selectors.clear_cache()


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings: Any, tmp_path: Path) -> None:
    """Anchors a test writes go to its own file, never to var/."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests hash many passwords; production's PBKDF2 cost is tested by Django itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
