from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "plaint.desk"
    label = "desk"
    verbose_name = "Staff desk"
