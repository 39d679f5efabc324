"""The current state of each case's disputes and contact restrictions. The history (every
checklist step, every restriction added or lifted) is in the case ledger."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Evidence
from plaint.domain.disputes.restrictions import RESTRICTION_LABELS, RestrictionKind


class Dispute(models.Model):
    """A cease-and-desist or solicitor's letter the business received about a case. Its
    reply deadline is kept here (not as a rule-derived `CaseDeadline`: the date is the
    letter's own, or the organisation's default), shown on the case panel and in the desk
    list of disputes due."""

    class DeadlineSource(models.TextChoices):
        LETTER = "letter", "Set by the letter"
        POLICY = "policy", "Policy default"

    class Authority(models.TextChoices):
        NONE = "", "Not checked yet"
        REQUESTED = "requested", "Requested"
        ON_FILE = "on_file", "On file"

    class Decision(models.TextChoices):
        NONE = "", "Not decided"
        COMPLY = "comply", "Comply"
        COMPLY_IN_PART = "comply_in_part", "Comply in part"
        DISPUTE = "dispute", "Dispute"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="disputes")
    sender = models.CharField(max_length=300)
    on_behalf_of = models.CharField(max_length=300, blank=True)
    demands = models.TextField()
    their_reference = models.CharField(max_length=100, blank=True)
    letter_date = models.DateField()
    deadline = models.DateField()
    deadline_source = models.CharField(max_length=10, choices=DeadlineSource.choices)
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, null=True, blank=True)
    logged_at = models.DateTimeField()
    authority = models.CharField(max_length=10, choices=Authority.choices, blank=True, default="")
    conduct = models.TextField(blank=True)
    investigator = models.CharField(max_length=200, blank=True)
    records_checked = models.JSONField(default=list)
    findings = models.TextField(blank=True)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True, default="")
    decision_reasons = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["organisation", "decision", "deadline"])]

    def __str__(self) -> str:
        return f"dispute #{self.pk} on case {self.case_id} from {self.sender}"


class ContactRestriction(models.Model):
    """A restriction on how the business may contact the customer, in force from
    `starts_at` until it is lifted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="contact_restrictions")
    kind = models.CharField(
        max_length=20, choices=[(k.value, label) for k, label in RESTRICTION_LABELS.items()]
    )
    note = models.TextField(blank=True)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, null=True, blank=True)
    starts_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["case", "lifted_at"])]

    def __str__(self) -> str:
        return f"{self.kind} on case {self.case_id}"

    @property
    def restriction(self) -> RestrictionKind:
        return RestrictionKind(self.kind)

    @property
    def label(self) -> str:
        return RESTRICTION_LABELS[self.restriction]


class FosEligibility(models.Model):
    """The latest answers to the FOS eligibility questions for a case."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="fos_eligibility")
    answers = models.JSONField(default=dict)
    eligible = models.BooleanField()
    reasons = models.JSONField(default=list)
    rules_version = models.CharField(max_length=40)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"FOS eligibility of case {self.case_id}: {self.eligible}"


class CeaseDesistSent(models.Model):
    """A cease-and-desist the customer sent the business (the customer's side): how and
    when, the date by which the conduct must stop, and whether it did."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cease_desists_sent")
    sent_on = models.DateField()
    method = models.CharField(max_length=20)
    tracking_number = models.CharField(max_length=100, blank=True)
    comply_by = models.DateField()
    conduct = models.TextField()
    recorded_at = models.DateTimeField()
    stopped = models.BooleanField(null=True, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_on", "id"]

    def __str__(self) -> str:
        return f"cease-and-desist sent on case {self.case_id} on {self.sent_on}"
