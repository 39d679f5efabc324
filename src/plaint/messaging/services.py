"""Every write of the messaging part, in one place for the other parts to call:
mail out (`message_send`, `letter_email_send`, `canned_reply_send`, `customer_notify`)
in `outbound.py`; mail in (`message_receive`, `messages_receive`, `customer_replied`)
in `inbound.py`."""

from __future__ import annotations

from plaint.domain.disputes.restrictions import ContactRestricted
from plaint.messaging.inbound import customer_replied, message_receive, messages_receive
from plaint.messaging.outbound import (
    canned_reply_save,
    canned_reply_send,
    customer_notify,
    letter_email_send,
    message_send,
    notification_setting_save,
)

__all__ = [
    "ContactRestricted",
    "canned_reply_save",
    "canned_reply_send",
    "customer_notify",
    "customer_replied",
    "letter_email_send",
    "message_receive",
    "message_send",
    "messages_receive",
    "notification_setting_save",
]
