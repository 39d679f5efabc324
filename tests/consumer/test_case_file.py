"""The case file: contacts, evidence and letters with their hashes, the record, sending,
the calendar, import and export, and whose case it is when the pages are hosted."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from plaint.consumer import exchange, services
from plaint.consumer.models import ConsumerCase, ConsumerEvent
from plaint.consumer.record import record_verify
from plaint.domain.consumer.calendar import DueDate, calendar_ics
from plaint.domain.consumer.nextstep import CaseState, LetterState, next_steps
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters.casefile import casefile_parse
from tests.consumer.flows import draft, interview, mark_sent, start_case
from tests.consumer.journeys import DAY_ONE, EXAMPLES, example, typed

pytestmark = pytest.mark.django_db


def dana_case(client: Client) -> ConsumerCase:
    """Dana's case, imported from the example YAML (contacts included)."""
    response = client.post(
        reverse("consumer:import"),
        {"file": _upload("dana.yaml", (EXAMPLES / "dana-billing-us.yaml").read_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ConsumerCase.objects.latest("pk")


def _upload(name: str, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_hand_made_yaml_imports(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    parsed = example("dana-billing-us.yaml")
    assert case.jurisdiction == "US" and case.time_zone == "America/New_York"
    assert case.contacts.count() == 4
    first = case.contacts.first()
    assert first is not None and first.at == datetime(2026, 2, 10, 19, 5, tzinfo=UTC)
    assert [e.description for e in case.evidence.all()] == [
        e["description"] for e in parsed.evidence
    ]
    assert case.answers["case.amount"] == "84.20"
    assert case.events.first().kind == "consumer_case_started"  # type: ignore[union-attr]
    assert record_verify(case) == []


def test_export_then_import_is_the_same_case(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    services.evidence_add(
        case=case,
        filename="bill.pdf",
        content_type="application/pdf",
        data=b"%PDF-1 bill",
        description="February bill",
        now=DAY_ONE,
    )
    interview(client, case, "complaint", {})
    letter = draft(client, case, "complaint")
    mark_sent(client, letter, "recorded_delivery", "2026-03-02", "RD123456789GB")
    data = client.get(reverse("consumer:export", args=[case.pk])).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        yaml_text = archive.read("case.yaml").decode()
    assert {"case.yaml", "manifest.json", "letters/01-complaint.pdf"} <= names
    assert any(n.startswith("evidence/") and n.endswith("bill.pdf") for n in names)
    # The exported case file is one `plaint letter new` reads.
    parsed = casefile_parse(yaml_text, "case.yaml")
    assert parsed.values["case.order_number"] == "12345"
    assert len(parsed.contacts) == 4

    again = exchange.case_import(
        owner=None, data=data, filename="x.zip", today=date(2026, 3, 2), now=DAY_ONE
    )
    assert again.answers == ConsumerCase.objects.get(pk=case.pk).answers
    assert [c.at for c in again.contacts.all()] == [c.at for c in case.contacts.all()]
    assert [e.sha256 for e in again.evidence.all()] == [e.sha256 for e in case.evidence.all()]
    [copy] = again.letters.all()
    assert copy.sha256 == letter.sha256
    assert hashlib.sha256(bytes(copy.pdf)).hexdigest() == letter.sha256["pdf"]
    assert (copy.sent_on, copy.tracking_number) == (date(2026, 3, 2), "RD123456789GB")
    assert record_verify(again) == []


def test_a_changed_export_is_refused_with_nothing_kept(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    services.evidence_add(
        case=case,
        filename="bill.pdf",
        content_type="",
        data=b"%PDF-1 original",
        description="bill",
        now=DAY_ONE,
    )
    data = exchange.case_export(case)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            target.writestr(info, b"altered" if info.filename.startswith("evidence/") else body)
    before = ConsumerCase.objects.count()
    with pytest.raises(DomainError, match="does not match its SHA-256"):
        exchange.case_import(
            owner=None, data=out.getvalue(), filename="x.zip", today=date(2026, 3, 2), now=DAY_ONE
        )
    assert ConsumerCase.objects.count() == before


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"customer: [", "not valid YAML"),
        (b"customer:\n  shoe_size: 9\n", "has no field `shoe_size`"),
        (b"PK\x03\x04broken", "not a zip file"),
        (b"\xff\xfe\x00", "neither a zip nor UTF-8"),
    ],
)
def test_unreadable_files_are_refused_in_plain_words(
    client: Client, data: bytes, said: str
) -> None:
    response = client.post(reverse("consumer:import"), {"file": _upload("case.yaml", data)})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert ConsumerCase.objects.count() == 0


def test_the_record_shows_tampering(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    assert record_verify(case) == []
    event = case.events.get(seq=3)
    ConsumerEvent.objects.filter(pk=event.pk).update(payload=event.payload.replace("Sam", "Sal"))
    [problem] = record_verify(case)
    assert "event #3" in problem and "altered" in problem


def test_contact_log_refuses_what_cannot_be(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = start_case(client, "Case", "GB", "Europe/London")
    response = client.post(
        reverse("consumer:contact_add", args=[case.pk]),
        {
            "at": "2027-01-01T10:00",
            "channel": "phone",
            "direction": "inbound",
            "representative": "Sam\nthe second",
            "wait_minutes": "5000",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "in the future" in page and "Keep this on one line" in page and "1,440" in page
    assert case.contacts.count() == 0
    # The contact form opens with the time now, in the case's time zone.
    assert (
        'value="2026-03-02T15:00"'
        in client.get(reverse("consumer:case", args=[case.pk])).content.decode()
    )


def test_recording_sending(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    interview(client, case, "complaint", {})
    letter = draft(client, case, "complaint")
    with pytest.raises(FieldErrors) as refused:
        services.letter_sent_record(
            letter=letter,
            method="certified_mail",
            sent_on=date(2026, 3, 3),
            today=date(2026, 3, 2),
            now=DAY_ONE,
        )
    assert set(refused.value.errors) == {"tracking_number", "sent_on"}
    mark_sent(client, letter, "certified_mail", "2026-03-02", "9400 1111")
    page = client.get(reverse("consumer:case", args=[case.pk])).content.decode()
    assert "sent by certified mail" in page.lower() or "Complaint letter sent" in page


def test_calendar_file() -> None:
    text = calendar_ics(
        [DueDate("u-1", date(2026, 4, 11), "Reply; due, now\\", "x" * 200)],
        name="Dana's case",
        stamp=datetime(2026, 3, 2, 15, tzinfo=UTC),
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Reply\\; due\\, now\\\\\r\n" in text
    assert "DTSTART;VALUE=DATE:20260411" in text and "TRIGGER:-P1D" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_next_step_ladder() -> None:
    d = date
    sent = LetterState("complaint", d(2026, 3, 2), d(2026, 3, 2), {"wait_until": d(2026, 3, 16)})
    assert next_steps(CaseState("US", []), today=d(2026, 3, 2))[0].kind == "complaint"
    unsent = LetterState("complaint", d(2026, 3, 2), None)
    assert next_steps(CaseState("US", [unsent]), today=d(2026, 3, 2))[0].kind == "send"
    assert next_steps(CaseState("US", [sent]), today=d(2026, 3, 16))[0].kind == "wait"
    assert next_steps(CaseState("US", [sent]), today=d(2026, 3, 17))[0].kind == "escalation"
    esc = LetterState("escalation", d(2026, 3, 17), d(2026, 3, 17), {"reply_by": d(2026, 3, 24)})
    quiet = CaseState("GB", [sent, esc])
    assert next_steps(quiet, today=d(2026, 3, 25))[0].kind == "agency"
    going_on = CaseState("GB", [sent, esc], conduct_continues=True)
    assert next_steps(going_on, today=d(2026, 3, 25))[0].kind == "cease-and-desist"
    late = CaseState("US", [], card_billing=True, statement_date=d(2026, 1, 1))
    assert [s.kind for s in next_steps(late, today=d(2026, 3, 25))] == ["complaint"]


def test_hosted_each_consumer_sees_only_their_own(
    client: Client, settings, django_user_model
) -> None:  # type: ignore[no-untyped-def]
    settings.CONSUMER_LOCAL = False
    assert client.get(reverse("consumer:home")).status_code == 302  # sign in first
    dana = django_user_model.objects.create_user(username="dana", password="x" * 12)
    lee = django_user_model.objects.create_user(username="lee", password="x" * 12)
    case = services.case_start(
        owner=dana, title="Mine", jurisdiction="US", time_zone="America/New_York", now=DAY_ONE
    )
    client.force_login(lee)
    assert client.get(reverse("consumer:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("consumer:export", args=[case.pk])).status_code == 404
    assert "Mine" not in client.get(reverse("consumer:home")).content.decode()
    client.force_login(dana)
    assert client.get(reverse("consumer:case", args=[case.pk])).status_code == 200


def test_plaint_consumer_makes_its_own_database(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PLAINT_DATA_DIR"}}
    done = subprocess.run(
        [sys.executable, "-m", "plaint", "consumer", "--no-serve", "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "workspace.sqlite3").is_file()
    assert f"Workspace data: {tmp_path}" in done.stdout


def test_manifest_is_json_with_hashes(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = dana_case(client)
    manifest = json.loads(
        zipfile.ZipFile(io.BytesIO(exchange.case_export(case))).read("manifest.json")
    )
    assert manifest["format"] == exchange.FORMAT
    assert [e["sha256"] for e in manifest["evidence"]] == ["", "", ""]
    assert typed(True) == "yes"
