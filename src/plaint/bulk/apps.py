from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "plaint.bulk"
    label = "bulk"
    verbose_name = "Bulk actions"
