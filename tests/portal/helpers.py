from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from plaint.cases.models import Case
from plaint.outbox.services import deliveries_run
from plaint.portal.links import link_issue
from tests.messaging.conftest import Smtp

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def complaint(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Dana Whitfield",
        "email": "dana@example.org",
        "phone": "+44 20 7946 0000",
        "best_times": "weekdays after 5pm",
        "address": "1 High Street\nLondon N1 1AA",
        "product": "Energy supply",
        "order_number": "INV-12345",
        "account_number": "ACC-998877",
        "occurred_on": "2026-02-14",
        "description": "I was charged twice for my February bill.",
        "desired_resolution": "Refund the duplicate charge.",
        "amount": "84.20",
        "currency": "gbp",
        "website": "",
    }
    data.update(overrides)
    return data


def pdf_file(name: str = "bill.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def text_file(name: str = "notes.txt", body: bytes = b"Call log\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="text/plain")


def portal_token(case: Case, *, now: datetime | None = None) -> str:
    """A new private link's token for `case`, issued at `now` (by default the moment the
    test runs, which is when the portal will read it)."""
    return link_issue(case=case, now=now or timezone.now(), reason="issued").token


@dataclass(frozen=True)
class Sent:
    """One e-mail as the loopback SMTP server received it."""

    to: list[str]  # the envelope's recipients
    subject: str
    body: str  # the plain-text part
    headers: EmailMessage


def outbox_delivered(server: Smtp, *, now: datetime | None = None) -> list[Sent]:
    """Run one pass of the outbox worker (to the loopback server of the `smtp` fixture)
    and give every e-mail the server has received so far, oldest first."""
    deliveries_run(now=now or timezone.now(), worker="test-worker")
    sent = []
    for (rcpts, _), parsed in zip(server.inbox.messages, server.inbox.parsed(), strict=True):
        part = parsed.get_body(preferencelist=("plain",))
        body = part.get_content() if part is not None else ""
        sent.append(Sent(to=rcpts, subject=str(parsed["Subject"]), body=body, headers=parsed))
    return sent
