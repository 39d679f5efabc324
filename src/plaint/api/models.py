"""The API's own records: tokens (stored hashed), the responses kept for idempotency keys,
and the per-token request counters behind the rate limits. Data and constraints only:
writes go through `tokens.py`, `idempotency.py` and `ratelimit.py`."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation


class ApiToken(models.Model):
    """A secret that lets a program act for one member of staff of one organisation.

    Only the SHA-256 of the secret is kept; the secret is shown once, when it is made.
    `prefix` is the secret's visible start (``plt_ab12cd34``), enough to recognise it in a
    list and never enough to use it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_token_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdempotentRequest(models.Model):
    """The first request made with an `Idempotency-Key`, and once it finished, its
    response, replayed to every retry with the same key (Stripe's semantics)."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    status = models.PositiveSmallIntegerField(null=True)  # None while the first one runs
    content_type = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"idempotency key {self.key!r} ({self.status or 'running'})"


class RateWindow(models.Model):
    """How many requests a token made in one fixed window (`window_start`, in
    seconds since the epoch). Incremented by one atomic upsert per request."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "window_start"], name="api_rate_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.count} requests from window {self.window_start}"


class WebhookEndpoint(models.Model):
    """An organisation's receiver of webhooks: a URL, the event kinds it wants (empty: all)
    and the secret its messages are signed with (Standard Webhooks: ``whsec_`` + base64).
    Disabled by hand, or by Plaint after sustained failure (`disabled_reason` says why)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    kinds = models.JSONField(default=list)
    secret = models.CharField(max_length=100)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"webhook #{self.pk} → {self.url}"


class WebhookMessage(models.Model):
    """One event for one endpoint, with its `webhook-id` (kept for every redelivery) and
    the exact body sent. Messages of one case to one endpoint go out in order: the next
    is queued in the outbox only once the one before it is settled."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for an earlier message of the case"
        PENDING = "pending", "Queued in the outbox"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Given up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    msg_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=60)
    event_id = models.BigIntegerField()
    case_id = models.BigIntegerField(null=True)
    body = models.BinaryField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    delivery_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["endpoint", "case_id", "state"])]

    def __str__(self) -> str:
        return f"{self.msg_id} {self.event_type} ({self.state})"


class WebhookAttempt(models.Model):
    """One try at delivering a message: the delivery log of its endpoint."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="attempts")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    ok = models.BooleanField()
    response_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.message_id} at {self.at}: {self.response_code or self.error}"


class WebhookCursor(models.Model):
    """How far the webhook producer has followed the ledger (one row)."""

    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"webhooks follow the ledger after event {self.last_event_id}"
