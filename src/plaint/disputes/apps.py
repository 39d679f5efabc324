from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "plaint.disputes"
    label = "disputes"
    verbose_name = "Disputes: cease-and-desist letters, contact restrictions, referrals"

    def ready(self) -> None:
        from plaint.cases.contact_restrictions import restriction_source_register
        from plaint.disputes.selectors import restrictions_recorded
        from plaint.disputes.services import reply_sent_hook
        from plaint.letters.sent_hooks import letter_sent_hook_register

        restriction_source_register("disputes", restrictions_recorded)
        letter_sent_hook_register("cease-and-desist-reply", reply_sent_hook)
