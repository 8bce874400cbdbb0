from django.apps import AppConfig


class CertauthConfig(AppConfig):
    name = "shebao.certauth"
    label = "certauth"
    verbose_name = "单位数字证书"
