"""A bulk job: one action over the cases chosen when it started, done in chunks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation
from plaint.domain.bulk import BulkAction


class BulkJob(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "running"
        DONE = "done", "done"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(
        max_length=20, choices=[(a.value, a.value) for a in BulkAction if a != BulkAction.EXPORT]
    )
    #: The action's parameters (`BulkRequest` fields: assignee_id, priority, to, text).
    parameters = models.JSONField(default=dict)
    #: The case ids, in the order shown, fixed when the job started.
    case_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    #: How many of `case_ids` have been dealt with (the next chunk starts here).
    cursor = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    background = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    started_at = models.DateTimeField()
    #: When a chunk last finished (a background job idle for long is resumed).
    progressed_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "progressed_at"], name="bulk_job_state_idx")]

    def __str__(self) -> str:
        return f"bulk {self.action} #{self.pk} ({self.cursor}/{self.total})"


class BulkRefusal(models.Model):
    """One case the job did not change, and why."""

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="refusals")
    position = models.PositiveIntegerField()
    reference = models.CharField(max_length=40)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="bulk_refusal_once")
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.reason}"
