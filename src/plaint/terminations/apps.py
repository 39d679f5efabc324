from django.apps import AppConfig


class TerminationsConfig(AppConfig):
    name = "plaint.terminations"
    label = "terminations"
    verbose_name = "Terminations"
