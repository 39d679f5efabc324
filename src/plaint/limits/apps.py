from django.apps import AppConfig


class LimitsConfig(AppConfig):
    name = "plaint.limits"
    label = "limits"
