from __future__ import annotations

from django.db import models


class LimitWindow(models.Model):
    """How many times `key` used `scope` in the fixed window starting at `window_start`
    (seconds since the epoch). Written only by `plaint.limits.services.limit_take`."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    count = models.PositiveBigIntegerField(default=0)  # uses, or bytes for a byte quota

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "window_start"], name="limit_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.window_start}={self.count}"
