from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "plaint.intake"
    label = "intake"
    verbose_name = "Intake"
