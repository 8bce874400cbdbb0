"""Fixtures of the query tests: the local CA, a unit with its certificate (`holder`)
logged in through the real login (`unit_client`)."""

import pytest
from django.test import Client

from shebao.certauth.tests.helpers import Holder, holder, local_ca
from shebao.declarations.tests.helpers import unit_login

__all__ = ["holder", "local_ca", "unit_client"]


@pytest.fixture
def unit_client(holder: Holder) -> Client:
    client = Client()
    unit_login(client, holder)
    return client
