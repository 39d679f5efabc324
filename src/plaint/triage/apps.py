from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "plaint.triage"
    label = "triage"
    verbose_name = "Triage: categories, legal-risk flags, urgency and similar cases"
