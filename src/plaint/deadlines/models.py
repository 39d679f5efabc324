"""The deadlines of each case as last derived. The ledger holds their history."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case


class CaseDeadline(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        MISSED = "missed", "Missed"
        WAITING = "waiting", "Waiting for its trigger"
        PAUSED = "paused", "Paused"

    class Source(models.TextChoices):
        RULE = "rule", "A rule of the case's regime"
        DEMAND = "demand", "Demanded by the other side (not a rule of law)"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="deadlines")
    key = models.CharField(max_length=120, help_text="REGIME/rule-id")
    regime_version = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    party = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    verification = models.CharField(max_length=20)
    due_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices)
    met_at = models.DateTimeField(null=True, blank=True)
    reminder_at = models.DateTimeField(
        null=True, blank=True, help_text="When a reminder is due (None: no reminder)."
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    waiting_for = models.CharField(max_length=300, blank=True)
    provisional = models.CharField(
        max_length=300, blank=True, help_text="Why the date may still change, if it may."
    )
    updated_at = models.DateTimeField()
    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.RULE,
        help_text="rule: derived from the regime on every refresh; demand: set by a service "
        "from what the other side demands (a cease-and-desist's reply date), never derived.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="case_deadline_unique"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["state", "reminder_at"]),
            models.Index(fields=["organisation", "state", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.key} {self.state}"

    @property
    def met_late(self) -> bool:
        """Met, but after its due time."""
        return self.met_at is not None and self.due_at is not None and self.met_at > self.due_at


class RefreshMark(models.Model):
    """How far into each case's ledger the deadlines were last derived, so the tick only
    re-derives cases that changed."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True)
    ledger_seq = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.case_id}@{self.ledger_seq}"
