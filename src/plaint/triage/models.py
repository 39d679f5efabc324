"""Triage state. The history (every suggestion, confirmation and legal review) is in the
case ledger; these tables hold the current state for queues and the model store."""

from __future__ import annotations

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.domain.triage.language import LANGUAGE_NAMES, language_name, language_supported
from plaint.domain.triage.taxonomy import Taxonomy


class TriageSettings(models.Model):
    """How an organisation triages: its taxonomy and the confidence below which a case
    waits for a person to triage it."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="triage_settings"
    )
    taxonomy = models.CharField(
        max_length=20, choices=[(t.value, t.value) for t in Taxonomy], default=Taxonomy.CONSUMER
    )
    threshold = models.FloatField(default=0.5)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.taxonomy} below {self.threshold}"


class ClassifierVersion(models.Model):
    """A model trained on one organisation's confirmed cases. The `.npz` bytes are kept in
    the database with their SHA-256, checked before every load."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    taxonomy = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    examples = models.PositiveIntegerField()
    labels = models.JSONField(default=dict)  # label set -> number of distinct labels
    sha256 = models.CharField(max_length=64)
    artifact = models.BinaryField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "active", "taxonomy"])]

    def __str__(self) -> str:
        return f"model #{self.pk} ({self.examples} cases)"


class TriageRecord(models.Model):
    """The current triage of one case."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        NEEDS_HUMAN = "needs_human", "Needs human triage"
        CONFIRMED = "confirmed", "Confirmed"

    class LegalReview(models.TextChoices):
        NONE = "", "Not needed"
        PENDING = "pending", "Awaiting legal review"
        CLEARED = "cleared", "Cleared"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="triage")
    status = models.CharField(max_length=12, choices=Status.choices)
    taxonomy = models.CharField(max_length=20)
    model = models.CharField(max_length=80)
    suggestions = models.JSONField(default=dict)  # label set -> {label, confidence, ...}
    confidence = models.FloatField()  # of the label set that decides human triage
    flags = models.JSONField(default=list)  # [{flag, label, evidence: [{start, end, text}]}]
    legal_review = models.CharField(
        max_length=8, choices=LegalReview.choices, blank=True, default=""
    )
    legal_cleared_flags = models.JSONField(default=list)  # cleared once: do not re-send
    urgency = models.FloatField()
    urgency_parts = models.JSONField(default=list)  # [{name, points, weight, reason}]
    suggested_priority = models.CharField(max_length=10)
    sentiment = models.FloatField()
    similar = models.JSONField(default=list)  # [{reference, score, outcome, redress, ...}]
    vector = models.BinaryField(blank=True, default=b"")  # for similar-case search
    triaged_at = models.DateTimeField()
    confirmed_labels = models.JSONField(default=dict)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # ISO 639-1 code of the text's language ("" when undetermined); a language triage does
    # not read sends the case to human triage (see plaint.domain.triage.language)
    language = models.CharField(max_length=8, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "status", "triaged_at"]),
            models.Index(fields=["organisation", "legal_review", "triaged_at"]),
        ]

    def __str__(self) -> str:
        return f"triage of case {self.case_id} ({self.status})"

    @property
    def language_supported(self) -> bool:
        return language_supported(self.language)

    @property
    def language_name(self) -> str:
        if self.language in LANGUAGE_NAMES:
            return language_name(self.language)
        # py3langid knows 140 languages; Django's table names most of them
        info = LANG_INFO.get(self.language, {})
        return str(info.get("name") or language_name(self.language))


class FlagVerdict(models.Model):
    """A person's answer on one legal-risk flag of one case: a labelled example for
    retraining the flags, as a confirmed category is for the category model. A legal
    reviewer clearing a case's flags records `risk=False` ("not a risk") for each."""

    class Source(models.TextChoices):
        LEGAL_REVIEW = "legal_review", "Legal review"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="flag_verdicts")
    flag = models.CharField(max_length=32)
    risk = models.BooleanField()
    source = models.CharField(max_length=16, choices=Source.choices)
    note = models.TextField(blank=True, default="")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["organisation", "flag"])]

    def __str__(self) -> str:
        return f"{self.flag} on case {self.case_id}: {'risk' if self.risk else 'not a risk'}"
