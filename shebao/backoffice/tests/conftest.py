from shebao.certauth.testing import local_ca

__all__ = ["local_ca"]
