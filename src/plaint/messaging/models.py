"""The message store: every e-mail in or out of a case, with its thread headers, the text
(full and trimmed), and where its raw bytes are kept. Writes go through the services."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.outbox.models import Delivery


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "Received"
        OUT = "out", "Sent"

    class State(models.TextChoices):
        RECORDED = "recorded", "Recorded on the case"
        UNMATCHED = "unmatched", "Could not be matched to a case"
        REJECTED = "rejected", "Kept raw, not recorded"
        OUTGOING = "outgoing", "Outgoing"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    state = models.CharField(max_length=10, choices=State.choices)
    message_id = models.CharField(max_length=998)
    in_reply_to = models.TextField(blank=True)
    references = models.TextField(blank=True)
    sender = models.CharField(max_length=320, blank=True)
    sender_name = models.CharField(max_length=200, blank=True)
    to = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    text_shown = models.TextField(blank=True)  # trimmed of quoted history and signature
    html_safe = models.TextField(blank=True)  # sanitised; remote images removed
    raw_sha256 = models.CharField(max_length=64, blank=True)
    raw_size = models.PositiveBigIntegerField(default=0)
    source = models.CharField(max_length=40, blank=True)  # import, imap:..., webhook, desk
    automatic = models.CharField(max_length=200, blank=True)  # why no auto-reply
    reason = models.TextField(blank=True)  # why unmatched or rejected
    purpose = models.CharField(max_length=40, blank=True)  # reply, letter, a moment
    letter_seq = models.PositiveIntegerField(null=True, blank=True)
    delivery = models.OneToOneField(
        Delivery, on_delete=models.PROTECT, null=True, blank=True, related_name="message"
    )
    needs_reading = models.BooleanField(default=False)  # the "new replies" queue
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "message_id"]),
            models.Index(fields=["organisation", "state", "created_at"]),
            models.Index(fields=["organisation", "sender", "created_at"]),
            models.Index(fields=["case", "created_at"]),
            models.Index(fields=["organisation", "needs_reading"]),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"


class CannedReply(models.Model):
    """A reply an organisation sends often, with `{{ case.reference }}`-style fields."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="canned_reply_unique")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NotificationSetting(models.Model):
    """An organisation's own wording for one notification moment, or its choice to send
    none (`enabled=False`). A moment with no row uses Plaint's default wording."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    moment = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "moment"], name="notification_setting_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.moment} ({'on' if self.enabled else 'off'})"


class MailboxState(models.Model):
    """Where IMAP polling of one mailbox folder got to: the folder's UIDVALIDITY and the
    highest UID recorded. A new UIDVALIDITY means the UIDs were renumbered: start again
    (Message-ID deduplication keeps that from recording anything twice)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    mailbox = models.CharField(max_length=300)  # user@host/folder
    uidvalidity = models.BigIntegerField(default=0)
    last_uid = models.BigIntegerField(default=0)
    polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "mailbox"], name="mailbox_unique")
        ]

    def __str__(self) -> str:
        return self.mailbox


class NotificationCursor(models.Model):
    """How far the customer notifications have read the ledger: the id of the last
    `CaseEvent` considered. One row; created at the newest event on first use, so turning
    notifications on never mails customers about the past."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"notifications read up to event #{self.last_event_id}"
