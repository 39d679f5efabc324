"""The anchor log of chain heads and the checkpoints signed over it (see
`plaint.domain.checkpoint`). Both are append-only: nothing updates or deletes a row."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation


class AnchorLeaf(models.Model):
    """Leaf `index` of an organisation's anchor log: a case's chain length and head as a
    checkpoint saw them. `leaf_hash` is the RFC 6962 leaf hash of that record."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    index = models.PositiveBigIntegerField()
    reference = models.CharField(max_length=32)
    length = models.PositiveIntegerField()
    head = models.CharField(max_length=64)
    leaf_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "index"], name="anchor_leaf_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "reference", "index"])]

    def __str__(self) -> str:
        return f"{self.organisation_id}#{self.index} {self.reference}@{self.length}"


class Checkpoint(models.Model):
    """A signed checkpoint, as also appended to the organisation's checkpoint file."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    tree_size = models.PositiveBigIntegerField()
    root = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    line = models.TextField(help_text="The signed line, exactly as in the checkpoint file.")
    timestamp = models.TextField(
        blank=True, default="", help_text="The RFC 3161 token over the line (base64), if any."
    )
    timestamp_problem = models.TextField(
        blank=True, default="", help_text="Why the time-stamp authority gave no valid token."
    )

    class Meta:
        ordering = ["organisation_id", "tree_size", "id"]
        indexes = [models.Index(fields=["organisation", "tree_size"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} checkpoint {self.tree_size}"


class RetentionPolicy(models.Model):
    """An organisation's own retention period for one regime (or, with regime "", for
    every regime without its own). Rows are never changed: the newest row for a regime
    is the policy in force, and the rows before it are its history (who, when, why)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    regime = models.CharField(max_length=40, blank=True)
    years = models.PositiveSmallIntegerField()
    counted_from = models.CharField(max_length=10)
    reason = models.TextField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    set_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "regime", "-set_at"], name="records_policy_now")
        ]

    def __str__(self) -> str:
        return f"{self.regime or 'every regime'}: {self.years} years from {self.counted_from}"


class SubjectAccessRequest(models.Model):
    """A person's request for everything held about them, logged on one of their cases,
    with the day its answer is due and, once answered, the ZIP's hash."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT)
    requested_on = models.DateField()
    received_by = models.CharField(max_length=20)
    due_on = models.DateField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    zip_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "answered_at", "due_on"], name="records_sar_open")
        ]

    def __str__(self) -> str:
        return f"subject access request #{self.pk} on {self.case_id}, due {self.due_on}"
