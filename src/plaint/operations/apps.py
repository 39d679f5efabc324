from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "plaint.operations"
    label = "operations"
