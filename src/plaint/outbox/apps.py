from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "plaint.outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from plaint.outbox import smtp, transports

        transports.transport_register("smtp", smtp.SmtpTransport())
