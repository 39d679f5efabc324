"""What the portal keeps of its own: a counter of submissions per client address, for the
rate limits, and the digests of the private links it issued. Nothing here belongs to a
case's record; the case file lives in `plaint.cases`."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case


class IntakeAttempt(models.Model):
    """One submission from a public form (a complaint, a request for a new link).
    `client` is a keyed hash of the IP address, so the table holds no address in clear."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "Complaint filed"
        LINK_REQUEST = "link_request", "New link requested"

    client = models.CharField(max_length=64)
    at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)

    class Meta:
        indexes = [models.Index(fields=["client", "at"], name="portal_attempt_client_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client[:12]} at {self.at:%Y-%m-%d %H:%M}"


class PortalLink(models.Model):
    """A private link issued to a customer: only the SHA-256 of its token is kept."""

    class Reason(models.TextChoices):
        FILED = "filed", "Complaint filed"
        REQUESTED = "requested", "Requested by the customer"
        ISSUED = "issued", "Issued by staff or a command"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="portal_links")
    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["case", "reason", "issued_at"], name="portal_link_case_issued")
        ]

    def __str__(self) -> str:
        return f"link for case #{self.case_id} until {self.expires_at:%Y-%m-%d}"


class ComplaintSubmission(models.Model):
    """The form token of a complaint that was filed: each complaint form carries a random
    token, and the unique constraint on it makes the same form, sent again after a lost
    response (or twice at once), file one case. The row is written in the transaction
    that files the case, before anything else, so a racing second request waits for the
    first and then finds its row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    token = models.CharField(max_length=64)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, related_name="portal_submissions"
    )
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "token"], name="portal_submission_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"submission for case #{self.case_id} at {self.at:%Y-%m-%d %H:%M}"
