from shebao.certauth.tests.helpers import holder, local_ca

__all__ = ["holder", "local_ca"]
