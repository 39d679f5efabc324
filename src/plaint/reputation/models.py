"""An organisation's stream of public reviews, its watch settings and the alerts raised."""

from __future__ import annotations

from django.db import models

from plaint.accounts.models import Organisation
from plaint.cases.models import Case


class ReputationSettings(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT)
    #: Link a review to a customer's case by the reviewer's name. Off unless the
    #: organisation allows it (a name is weak evidence of who wrote a review).
    match_customers = models.BooleanField(default=False)
    window_weeks = models.PositiveSmallIntegerField(default=4)
    rating_drop = models.DecimalField(max_digits=3, decimal_places=2, default=0.5)
    sentiment_drop = models.DecimalField(max_digits=3, decimal_places=2, default=0.2)
    contact = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Reputation settings of {self.organisation_id}"


class Review(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=64)
    posted_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    link = models.URLField(max_length=500, blank=True)
    enterprise = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    sentiment = models.FloatField()
    flags = models.JSONField(default=list)  # [flag value, ...]
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews"
    )
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "source", "external_id"], name="review_once"
            )
        ]
        indexes = [models.Index(fields=["organisation", "posted_at"])]

    def __str__(self) -> str:
        return f"{self.source} review of {self.posted_at:%Y-%m-%d} ({self.rating})"


class ReputationAlert(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    metric = models.CharField(max_length=10)
    before = models.FloatField()
    after = models.FloatField()
    window_start = models.DateField()
    window_end = models.DateField()
    sentence = models.TextField()
    notified = models.JSONField(default=list)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "window_start"], name="reputation_alert_once"
            )
        ]

    def __str__(self) -> str:
        return self.sentence
