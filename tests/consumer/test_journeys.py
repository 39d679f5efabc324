"""The product brief's first journey and a UK faulty-goods rejection, through the
workspace's pages (the browser tests drive the same journeys in Chromium)."""

from __future__ import annotations

import email
import hashlib
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from plaint.consumer.record import record_verify
from plaint.consumer.selectors import case_next
from plaint.domain.letters.checker import letter_check
from tests.consumer.flows import draft, interview, log_call, mark_sent, start_case
from tests.consumer.journeys import (
    AFTER_COMPLAINT,
    AFTER_ESCALATION,
    DANA_CALLS,
    example,
    typed,
)

pytestmark = pytest.mark.django_db


def dana_answers() -> dict[str, str]:
    values = example("dana-billing-us.yaml").values
    return {key: typed(value) for key, value in values.items()}


def test_first_journey_double_charge(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    answers = dana_answers()
    case = start_case(client, "Brightline double charge", "US", "America/New_York")
    for call in DANA_CALLS:
        log_call(client, case, call)

    # 1. The complaint: only the complaint's own questions are asked.
    asked = interview(client, case, "complaint", answers)
    assert "letter.billing_address" not in asked and "letter.conduct" not in asked
    complaint = draft(client, case, "complaint")
    assert letter_check(complaint.md, "complaint") == []
    assert complaint.sha256["pdf"] == hashlib.sha256(bytes(complaint.pdf)).hexdigest()
    for key in ("case.order_number", "case.account_number", "customer.name"):
        assert answers[key] in complaint.md.replace("\\", "")
    mark_sent(client, complaint, "certified_mail", "2026-03-02", "9400 1000 0000 0000 0001")
    [suggestion] = [s for s in case_next(case, today=date(2026, 3, 2)) if s.kind == "wait"]
    assert suggestion.by == date(2026, 3, 16)

    # The card statement's date starts the FCBA window: suggested from then on.
    response = client.post(
        reverse("consumer:facts", args=[case.pk]), {"letter.statement_date": "2026-02-10"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    fcba = case_next(case, today=date(2026, 3, 2))[0]
    assert (fcba.kind, fcba.by, fcba.urgent) == ("us-fcba-billing-error", date(2026, 4, 11), True)

    # 2. The reply date passed: escalation, whose previous contacts are the log, exactly.
    clock.move_to(AFTER_COMPLAINT)
    assert [s.kind for s in case_next(case, today=date(2026, 3, 17))][1] == "escalation"
    asked = interview(client, case, "escalation", answers)
    escalation = draft(client, case, "escalation")
    case.refresh_from_db()
    assert "customer.best_times" in asked, asked
    assert case.answers.get("customer.best_times"), case.answers
    assert letter_check(escalation.md, "escalation") == []
    rows = [line for line in escalation.md.splitlines() if line.startswith("| ") and "min" in line]
    assert len(rows) == 3
    for row, call in zip(rows, DANA_CALLS, strict=True):
        assert call["representative"] in row
        assert call["ticket_number"].replace("-", "") in row.replace("\\", "").replace("-", "")
        assert f"{call['wait_minutes']} min" in row
    assert escalation.fields["contacts"][0]["ticket_number"] == "T-88412"
    mark_sent(client, escalation, "email", "2026-03-17")

    # 3. The charges continue after the reply date: cease-and-desist about unfair billing.
    clock.move_to(AFTER_ESCALATION)
    client.post(reverse("consumer:conduct", args=[case.pk]), {"conduct": "yes"})
    case.refresh_from_db()
    kinds = [s.kind for s in case_next(case, today=date(2026, 3, 25))]
    assert kinds == ["us-fcba-billing-error", "cease-and-desist"]
    interview(client, case, "cease-and-desist", answers)
    cease = draft(client, case, "cease-and-desist")
    assert letter_check(cease.md, "cease-and-desist") == []
    assert "comply_by" in cease.dates
    assert "unfair" in cease.md.lower() or "billing" in cease.md.lower()

    # 4. The FCBA dispute, with the date it must arrive by.
    interview(client, case, "us-fcba-billing-error", answers)
    fcba_letter = draft(client, case, "us-fcba-billing-error")
    assert letter_check(fcba_letter.md, "us-fcba-billing-error") == []
    assert fcba_letter.dates["must_arrive_by"]["day"] == "2026-04-11"
    cover = client.get(reverse("consumer:letter_cover", args=[case.pk, fcba_letter.pk]))
    assert cover.status_code == 200 and cover.content.startswith(b"%PDF")

    # Nothing the case file does not say: the letters' values are the typed answers.
    case.refresh_from_db()
    for letter in (complaint, escalation, cease, fcba_letter):
        for key, value in letter.fields.items():
            if key.startswith(("customer.", "business.", "case.", "letter.")) and value:
                assert key in case.answers or key == "case.currency", key

    # The dates that matter, on the timeline and in the calendar file.
    ics = client.get(reverse("consumer:calendar", args=[case.pk])).content.decode()
    assert "DTSTART;VALUE=DATE:20260411" in ics and "DTSTART;VALUE=DATE:20260316" in ics
    page = client.get(reverse("consumer:case", args=[case.pk])).content.decode()
    assert "11 Apr 2026" in page
    case.refresh_from_db()
    assert record_verify(case) == []
    eml = client.get(reverse("consumer:letter_file", args=[case.pk, escalation.pk, "eml"]))
    assert eml.status_code == 200, eml.content[:300]
    message = email.message_from_bytes(eml.content)
    assert message["To"], eml.content[:600]
    assert message["To"].endswith("<escalations@brightline.example>")
    assert any(part.get_content_type() == "application/pdf" for part in message.walk())


def test_uk_faulty_goods_rejection(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    values = example("faulty-goods-uk.yaml").values
    answers = {key: typed(value) for key, value in values.items()}
    case = start_case(client, "Homeheat boiler", "GB", "Europe/London")
    client.post(
        reverse("consumer:evidence_add", args=[case.pk]),
        {"description": "Engineer's visit report", "file": _file("report.txt", b"E9 fault")},
    )
    [first] = case_next(case, today=date(2026, 3, 2))
    assert first.kind == "complaint"  # nothing says the goods are faulty yet
    asked = interview(client, case, "uk-cra-short-term-rejection", answers)
    assert "letter.delivered_on" in asked and "letter.billing_address" not in asked
    case.refresh_from_db()
    suggestion = case_next(case, today=date(2026, 3, 2))[0]
    assert (suggestion.kind, suggestion.by) == ("uk-cra-short-term-rejection", date(2026, 3, 22))
    letter = draft(client, case, "uk-cra-short-term-rejection")
    assert letter_check(letter.md, "uk-cra-short-term-rejection") == []
    assert letter.dates["reject_by"]["day"] == "2026-03-22"
    assert "Engineer's visit report" in letter.md.replace("\\", "")
    assert "HH200-5531" in letter.md


def _file(name: str, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/plain")
