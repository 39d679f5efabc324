from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "plaint.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plaint.outbox.transports import (
            outcome_hook_register,
            producer_register,
            transport_register,
        )
        from plaint.records.erasure import erasure_part_register

        from . import webhook_transport, webhooks

        transport_register(webhooks.TRANSPORT, webhook_transport.WebhookTransport())
        outcome_hook_register(webhooks.PURPOSE, webhooks.webhook_outcome)
        producer_register("webhooks", webhooks.webhooks_follow)
        erasure_part_register("webhook messages", webhooks.webhook_bodies_erase)
