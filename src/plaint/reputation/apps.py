from django.apps import AppConfig


class ReputationConfig(AppConfig):
    name = "plaint.reputation"
    label = "reputation"
    verbose_name = "Reputation watch"
