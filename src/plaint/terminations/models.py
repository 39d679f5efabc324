"""A termination: ending a customer's service as a guarded last resort. It is its own
record on the customer, linked to the cases behind it; every step is also a ledger event
on each of those cases (`services.py`)."""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Customer
from plaint.domain.termination import Alternative, AlternativeOutcome, ProductKind, Reason, Status


def _choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("_", " ").capitalize()) for m in enum]


class TerminationSettings(models.Model):
    """The organisation's own rules for terminations and reviews."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT)
    house_minimum_days = models.PositiveSmallIntegerField(default=0)
    perception_window_days = models.PositiveSmallIntegerField(default=42)
    practice_review_days = models.PositiveSmallIntegerField(default=30)

    def __str__(self) -> str:
        return f"Termination settings of {self.organisation_id}"


class Termination(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="terminations")
    cases = models.ManyToManyField(Case, related_name="terminations")
    status = models.CharField(max_length=12, choices=_choices(Status), default=Status.PROPOSED)
    reason = models.CharField(max_length=20, choices=_choices(Reason))
    facts = models.TextField()
    immediate_justification = models.TextField(blank=True)
    evidence_ids = models.JSONField(default=list)
    product = models.CharField(max_length=20, choices=_choices(ProductKind))
    contract_concluded_on = models.DateField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField()
    # The legal and contract check.
    contract_clause = models.TextField(blank=True)
    contract_notice_days = models.PositiveSmallIntegerField(default=0)
    vulnerability_steps = models.TextField(blank=True)
    open_cases_note = models.TextField(blank=True)
    bill_disputed = models.BooleanField(default=False)
    not_discriminatory_confirmed = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    legal_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    legal_note = models.TextField(blank=True)
    # The decision.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    # The notice.
    notice_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    notice_rules = models.JSONField(default=list)
    alternatives_offered = models.JSONField(default=list)
    letter_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_seq = models.PositiveIntegerField(null=True, blank=True)
    # Reversal and appeal.
    reversal_reason = models.TextField(blank=True)
    appeal_grounds = models.TextField(blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_note = models.TextField(blank=True)
    took_effect_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "status", "effective_on"])]

    def __str__(self) -> str:
        return f"Termination #{self.pk} ({self.status})"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class TerminationAlternative(models.Model):
    """An alternative tried before proposing to end the service, with its outcome."""

    termination = models.ForeignKey(
        Termination, on_delete=models.PROTECT, related_name="alternatives"
    )
    alternative = models.CharField(max_length=20, choices=_choices(Alternative))
    outcome = models.CharField(max_length=20, choices=_choices(AlternativeOutcome))
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.alternative}: {self.outcome}"


class TerminationTask(models.Model):
    """An aftermath task, created when a termination takes effect."""

    class Kind(models.TextChoices):
        REACTION = "reaction", "Handle the customer's reaction"
        PERCEPTION = "perception", "Public-perception check"
        PRACTICE_REVIEW = "practice_review", "Practice review"

    termination = models.ForeignKey(Termination, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    due_on = models.DateField()
    detail = models.TextField()
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["termination", "kind"], name="termination_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} due {self.due_on}"
