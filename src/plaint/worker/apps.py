from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "plaint.worker"
    label = "plaint_worker"
