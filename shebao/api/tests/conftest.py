from shebao.certauth.testing import holder, local_ca

__all__ = ["holder", "local_ca"]
