"""A consumer's case file: the business, the problem and the answers given, the contact
log, evidence and letters (each kept with its hash), and the file's own hash-chained
record of every change (`ConsumerEvent`, written only by `plaint.consumer.record`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.domain.ledger import GENESIS


class ConsumerCase(models.Model):
    # None in the local single-user workspace; the consumer's account when hosted.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    title = models.CharField(max_length=200)
    jurisdiction = models.CharField(max_length=8)  # US, GB
    time_zone = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)  # dotted letter field -> kept answer
    conduct_continues = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    ledger_length = models.PositiveIntegerField(default=0)
    ledger_head = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        indexes = [models.Index(fields=["owner", "-updated_at"], name="consumer_case_owner")]

    def __str__(self) -> str:
        return self.title


class ConsumerEvent(models.Model):
    case = models.ForeignKey(ConsumerCase, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    payload = models.TextField()  # canonical JSON
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "seq"], name="consumer_event_seq_unique")
        ]
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"event #{self.seq} {self.kind}"


class ConsumerContact(models.Model):
    case = models.ForeignKey(ConsumerCase, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField()
    channel = models.CharField(max_length=20)
    direction = models.CharField(max_length=10)
    representative = models.CharField(max_length=200, blank=True)
    ticket_number = models.CharField(max_length=100, blank=True)
    wait_minutes = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.channel} at {self.at}"


class ConsumerEvidence(models.Model):
    case = models.ForeignKey(ConsumerCase, on_delete=models.CASCADE, related_name="evidence")
    description = models.CharField(max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class ConsumerLetter(models.Model):
    case = models.ForeignKey(ConsumerCase, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    subject = models.CharField(max_length=400)
    letter_date = models.DateField()
    drafted_at = models.DateTimeField()
    event_seq = models.PositiveIntegerField()  # its letter_generated event
    fields = models.JSONField()  # what reproduces it (PreparedLetter.field_values)
    dates = models.JSONField(default=dict)  # name -> {"day", "basis", "citation"}
    warnings = models.JSONField(default=list)
    md = models.TextField()
    txt = models.TextField(default="")  # the same letter as plain text, to read on the page
    pdf = models.BinaryField()
    docx = models.BinaryField()
    eml = models.BinaryField(null=True, blank=True)  # None: no e-mail addresses to send it
    sha256 = models.JSONField()  # format -> SHA-256
    sent_method = models.CharField(max_length=30, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["drafted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} of {self.letter_date}"


class ConsumerSignInRequest(models.Model):
    """One sign-in link asked for (hosted only): a keyed hash of the address, never the
    address itself, to limit how many links one address can be sent."""

    address = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"sign-in link at {self.at}"


class ConsumerPreferences(models.Model):
    """A hosted consumer's choices about their account (no row: the defaults)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consumer_preferences"
    )
    reminders = models.BooleanField(default=True)  # e-mail reminders of the dates that matter

    def __str__(self) -> str:
        return f"reminders {'on' if self.reminders else 'off'}"


class ConsumerReminder(models.Model):
    """One reminder e-mail of a date that matters, recorded in the transaction that sends
    it: the unique constraint means two passes or two workers never send it twice."""

    case = models.ForeignKey(ConsumerCase, on_delete=models.CASCADE, related_name="reminders")
    uid = models.CharField(max_length=200)  # the date's stable id (selectors.DateLine.uid)
    day = models.DateField()
    lead_days = models.PositiveSmallIntegerField()  # 3: three days ahead, 0: on the day
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "uid", "day", "lead_days"], name="consumer_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"reminder of {self.uid} ({self.lead_days} days ahead)"
