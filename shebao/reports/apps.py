from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shebao.reports"
    label = "reports"
    verbose_name = "查询与报表"
