"""The durable outbox: one row per outgoing delivery, whatever carries it (SMTP today; a
webhook transport can be added). Rows are written in the transaction of the change that
wants the delivery, so a rolled-back change sends nothing and a committed one is never lost.
Every write goes through `services.py`."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation


class Delivery(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Claimed by a worker"  # not yet attempted
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        DEFERRED = "deferred", "Deferred (will retry)"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Unknown: check by hand"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True)
    transport = models.CharField(max_length=20)
    #: Who asked for it (`messaging`, `webhook`...): their outcome hook is called with it.
    purpose = models.CharField(max_length=40)
    sender = models.CharField(max_length=320, blank=True)
    recipients = models.JSONField(default=list)
    payload = models.BinaryField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    server_reply = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["organisation", "status"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.transport} #{self.pk} ({self.status})"
