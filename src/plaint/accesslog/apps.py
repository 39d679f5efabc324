from django.apps import AppConfig


class AccessLogConfig(AppConfig):
    name = "plaint.accesslog"
    label = "accesslog"
    verbose_name = "Access log"
