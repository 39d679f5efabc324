from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "plaint.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines"
