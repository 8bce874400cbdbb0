"""Tests write nothing outside a temporary directory: every path setting points into the
session's temporary var/ (shebao/tests/testenv.py), and the end-of-session guard sees a write
into the checkout's var/."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shebao.tests import testenv


def _path_settings(settings: Any) -> dict[str, Path]:
    paths = {
        "VAR_DIR": settings.VAR_DIR,
        "CA_DIR": settings.CA_DIR,
        "DEMO_CERT_DIR": settings.DEMO_CERT_DIR,
        "STORAGES.default": settings.STORAGES["default"]["OPTIONS"]["location"],
    }
    for name in ("CERT_TRUSTED_CA_FILES", "CERT_CRL_FILES"):
        paths.update({f"{name}[{i}]": p for i, p in enumerate(getattr(settings, name))})
    return {name: Path(p).resolve() for name, p in paths.items()}


def test_every_path_setting_is_in_the_temporary_var_dir(settings: Any) -> None:
    assert Path(os.environ["SHEBAO_VAR_DIR"]) == testenv.VAR_DIR
    assert testenv.VAR_DIR not in testenv.CHECKOUT_VARS
    for name, path in _path_settings(settings).items():
        assert path.is_relative_to(testenv.VAR_DIR), f"{name} = {path}"


def test_per_test_paths_are_temporary(settings: Any,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    """The conftest gives each test its own anchor file and the session a static root."""
    base = tmp_path_factory.getbasetemp().resolve()
    for path in (settings.AUDIT_ANCHOR_FILE, settings.STATIC_ROOT):
        assert Path(path).resolve().is_relative_to(base), path


@pytest.mark.django_db
def test_the_demo_command_writes_its_certificates_into_the_temporary_var_dir(
        settings: Any) -> None:
    call_command("demo", "--units", "12", "--persons", "10", "--today", "2026-11-26",
                 stdout=StringIO())
    assert any(Path(settings.DEMO_CERT_DIR).iterdir())
    assert (Path(settings.CA_DIR) / "crl.pem").exists()
    assert Path(settings.DEMO_CERT_DIR).is_relative_to(testenv.VAR_DIR)
    assert testenv.checkout_var_changes() == []


def test_the_guard_names_added_changed_and_removed_files(tmp_path: Path) -> None:
    root = tmp_path / "var"
    (root / "ca").mkdir(parents=True)
    (root / "ca" / "crl.pem").write_text("old CRL")
    (root / "secret_key").write_text("k")
    (root / "shebao.sqlite3").write_text("the running demo's database")
    before = testenv.snapshot(root)
    assert testenv.changes(before, testenv.snapshot(root)) == []

    (root / "ca" / "crl.pem").write_text("new CRL")
    os.utime(root / "ca" / "crl.pem", ns=(1, 1))  # even with the same size
    (root / "secret_key").unlink()
    (root / "demo-certs").mkdir()
    (root / "shebao.sqlite3").write_text("written by the server, not compared")
    assert testenv.changes(before, testenv.snapshot(root)) == [
        "added   demo-certs", "removed secret_key", "changed ca/crl.pem"]


def test_the_guard_skips_an_explicit_screenshot_dir(tmp_path: Path) -> None:
    root = (tmp_path / "var").resolve()
    root.mkdir()
    before = testenv.snapshot(root, skip=(root / "screenshots",))
    (root / "screenshots").mkdir()
    (root / "screenshots" / "page.png").write_bytes(b"png")
    assert testenv.changes(before, testenv.snapshot(root, skip=(root / "screenshots",))) == []
    assert testenv.changes(before, testenv.snapshot(root)) == [
        "added   screenshots", "added   screenshots/page.png"]
