from django.apps import AppConfig


class DemoAppConfig(AppConfig):
    name = "shebao.demo"
    label = "demo"
    verbose_name = "演示数据"
