"""What the desk keeps of its own: saved views of the case queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation


class SavedView(models.Model):
    """A named queue: its filters, sort and columns as the query string the queue page
    reads (only the queue's own parameters: `plaint.desk.services.VIEW_PARAMETERS`). Its owner's
    alone, or shared with the whole team (every member of staff of the organisation)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    shared = models.BooleanField(default=False, help_text="Shown to the whole team.")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_per_owner"),
        ]
        indexes = [models.Index(fields=["organisation", "shared", "name"])]

    def __str__(self) -> str:
        return self.name
