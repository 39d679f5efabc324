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
