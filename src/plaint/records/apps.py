from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "plaint.records"
    label = "records"
    verbose_name = "Records: corrections, integrity, evidence packs, checkpoints"
