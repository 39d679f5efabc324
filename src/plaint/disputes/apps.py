from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "plaint.disputes"
    label = "disputes"
    verbose_name = "Disputes: cease-and-desist letters, contact restrictions, referrals"

    def ready(self) -> None:
        from plaint.cases.contact_restrictions import restriction_source_register
        from plaint.disputes.selectors import restrictions_recorded

        restriction_source_register("disputes", restrictions_recorded)
