"""Fixtures of the reports tests: the local CA and a unit with its certificate."""

from shebao.certauth.tests.helpers import holder, local_ca

__all__ = ["holder", "local_ca"]
