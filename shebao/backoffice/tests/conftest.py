from shebao.certauth.tests.helpers import local_ca

__all__ = ["local_ca"]
