"""The access log: who read what, kept apart from the case ledger and, like it,
append-only in the database (migration 0002's triggers refuse UPDATE, DELETE and
TRUNCATE; the PostgreSQL application role may only INSERT and SELECT it).

A record names the case by its reference and a file by its row id and hash, never by
what the customer wrote (a filename, a description), so erasing a case's personal data
leaves nothing personal here."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from plaint.accounts.models import Organisation


class AccessAction(models.TextChoices):
    CASE_VIEWED = "case_viewed", "viewed a case"
    EVIDENCE_DOWNLOADED = "evidence_downloaded", "downloaded evidence"
    LETTER_DOWNLOADED = "letter_downloaded", "downloaded a letter"
    MESSAGE_DOWNLOADED = "message_downloaded", "downloaded an e-mail"
    LEDGER_READ = "ledger_read", "read a case's ledger"
    PACK_EXPORTED = "pack_exported", "exported an evidence pack"
    REPORT_EXPORTED = "report_exported", "exported a report"
    SUBJECT_ACCESS_EXPORTED = "subject_access_exported", "exported a subject access pack"
    ACCESS_LOG_EXPORTED = "access_log_exported", "exported the access log"


class AccessVia(models.TextChoices):
    DESK = "desk", "desk"
    API = "api", "API"
    CLI = "cli", "command line"


class AccessRecord(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200)
    via = models.CharField(max_length=10, choices=AccessVia.choices)
    action = models.CharField(max_length=40, choices=AccessAction.choices)
    case_reference = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "-at"], name="accesslog_org_at"),
            models.Index(fields=["organisation", "case_reference"], name="accesslog_org_case"),
            models.Index(fields=["organisation", "user", "-at"], name="accesslog_org_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.case_reference}"
