from django.apps import AppConfig


class CspReportConfig(AppConfig):
    name = "plaint.cspreport"
    label = "cspreport"
    verbose_name = "Content-Security-Policy reports"
