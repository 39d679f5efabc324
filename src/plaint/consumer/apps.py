from django.apps import AppConfig


class ConsumerConfig(AppConfig):
    name = "plaint.consumer"
    label = "consumer"
    verbose_name = "The consumer's own workspace"
