"""What the portal keeps of its own: a counter of complaints filed per client address, for
the rate limit. Nothing here belongs to a case; the case file lives in `plaint.cases`."""

from __future__ import annotations

from django.db import models


class IntakeAttempt(models.Model):
    """One complaint submitted from the public form. `client` is a keyed hash of the IP
    address, so the table holds no address in clear."""

    client = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="portal_attempt_client_at")]

    def __str__(self) -> str:
        return f"{self.client[:12]} at {self.at:%Y-%m-%d %H:%M}"
