from django.apps import AppConfig


class PensionConfig(AppConfig):
    name = "shebao.pension"
    label = "pension"
    verbose_name = "养老保险个人账户"
