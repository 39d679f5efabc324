from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "plaint.reports"
    label = "reports"
    verbose_name = "Reports"
