from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "plaint.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from plaint.accounts import signins

        signins.connect()
