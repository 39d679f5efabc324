from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "plaint.cases"
    label = "cases"
    verbose_name = "Cases and their ledger"
