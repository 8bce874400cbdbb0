"""Fixtures of the declaration tests: the local CA, an open wage declaration window, and
a unit with its certificate (`holder`) logged in through the real login (`unit_client`)."""

from pathlib import Path

import pytest
from django.test import Client

from shebao.certauth.ca import LocalCa
from shebao.certauth.testing import Holder, local_ca, unit_with_certificate
from shebao.declarations.testing import unit_login, wage_window

__all__ = ["holder", "local_ca", "unit_client", "wage_window"]


@pytest.fixture
def holder(local_ca: LocalCa, tmp_path: Path) -> Holder:
    return unit_with_certificate(tmp_path, name="北京朝阳示范科技有限公司")


@pytest.fixture
def unit_client(holder: Holder) -> Client:
    client = Client()
    unit_login(client, holder)
    return client
