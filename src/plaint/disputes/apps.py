from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "plaint.disputes"
    label = "disputes"
    verbose_name = "Disputes: cease-and-desist letters, contact restrictions, referrals"
