from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "plaint.messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plaint.messaging import notifications, outbound
        from plaint.outbox.transports import outcome_hook_register, producer_register

        outcome_hook_register(outbound.PURPOSE, outbound.message_delivery_record)
        producer_register("customer-notifications", notifications.notifications_follow)
