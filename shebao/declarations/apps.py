from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "shebao.declarations"
    label = "declarations"
    verbose_name = "申报业务"
