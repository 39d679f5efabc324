"""Filing a complaint from the public form, end to end."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from django.core import mail
from django.test import Client

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Evidence
from plaint.config.appsettings import APP
from plaint.portal.models import IntakeAttempt
from tests.messaging.conftest import Smtp
from tests.portal.helpers import complaint, outbox_delivered, pdf_file, text_file

pytestmark = pytest.mark.django_db


def _file(client: Client, org: Organisation, data: dict[str, object], **extra: object):  # type: ignore[no-untyped-def]
    return client.post(f"/complain/{org.slug}/", data, **extra)


def test_form_renders_with_labels(client: Client, org: Organisation) -> None:
    response = client.get("/complain/acme/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Make a complaint to Acme Energy" in html
    for field in ("name", "email", "phone", "description", "desired_resolution", "evidence"):
        assert f'for="id_{field}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "<script" not in html  # works without JavaScript


def test_unknown_organisation_is_404(client: Client, org: Organisation) -> None:
    assert client.get("/complain/nobody/").status_code == 404
    assert _file(client, Organisation(slug="nobody"), complaint()).status_code == 404


def test_file_end_to_end_with_evidence_and_mail(
    client: Client, org: Organisation, smtp: Smtp
) -> None:
    data = complaint(evidence=[pdf_file(), text_file()])
    response = _file(client, org, data)
    assert response.status_code == 302
    assert response["Location"] == "/complain/acme/received/"

    case = Case.objects.get(organisation=org)
    assert case.channel == "web"
    assert case.customer.name == "Dana Whitfield"
    assert case.customer.preferred_contact_times == "weekdays after 5pm"
    assert case.currency == "GBP" and str(case.amount_in_dispute) == "84.20"
    assert case.occurred_on.isoformat() == "2026-02-14"
    assert case.events.first().actor_kind == "customer"  # type: ignore[union-attr]
    assert sorted(Evidence.objects.filter(case=case).values_list("filename", flat=True)) == [
        "bill.pdf",
        "notes.txt",
    ]
    assert case.deadlines.exists()  # the intake derived them

    page = client.get(response["Location"])
    html = page.content.decode()
    assert case.reference in html
    link = re.search(r'href="(http://testserver/complain/acme/case/[^"]+)"', html)
    assert link is not None
    # Shown once: a second visit does not show the link again.
    assert "/case/" not in client.get(response["Location"]).content.decode()

    assert mail.outbox == []  # nothing leaves except through the outbox
    (message,) = outbox_delivered(smtp)
    assert message.to == ["dana@example.org"]
    assert message.subject == f"Your complaint {case.reference} to {org.name}"
    assert link.group(1) in message.body
    assert message.headers["Auto-Submitted"] == "auto-generated"
    # The record keeps the e-mail, but not the link (only its hash is kept anywhere).
    queued = case.events.get(kind="message_queued")
    token = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    assert token not in queued.clear_payload and "[private link]" in queued.clear_payload

    case_page = Client().get(link.group(1))
    assert case_page.status_code == 200
    assert "bill.pdf" in case_page.content.decode()
    assert case_page["Cache-Control"].startswith("max-age=0")


def test_validation_messages_a_person_understands(client: Client, org: Organisation) -> None:
    data = complaint(
        name="", email="not-an-email", description="", amount="12.345", occurred_on="14/02"
    )
    response = _file(client, org, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please tell us your full name." in html
    assert "That does not look like an e-mail address" in html
    assert "Please tell us what went wrong." in html
    assert "Please correct the amount: it has more than two decimal places." in html
    assert "Please give the date as YYYY-MM-DD" in html
    assert not Case.objects.exists()


def test_amount_needs_a_currency(client: Client, org: Organisation) -> None:
    html = _file(client, org, complaint(currency="")).content.decode()
    assert "Please say which currency the amount is in" in html
    assert not Case.objects.exists()


def test_service_errors_land_on_the_form(client: Client, org: Organisation) -> None:
    # A date after the complaint is received is refused by case_open, not the form.
    response = _file(client, org, complaint(occurred_on="2999-01-01"))
    assert response.status_code == 400
    assert "Date it happened is after the complaint was received." in response.content.decode()
    assert not Case.objects.exists()


def test_refused_evidence_shows_the_reason_and_keeps_nothing(
    client: Client, org: Organisation, settings
) -> None:  # type: ignore[no-untyped-def]
    bad = text_file("evil.exe", b"MZ\x00\x00binary")
    bad.content_type = "application/x-msdownload"
    response = _file(client, org, complaint(evidence=[pdf_file(), bad]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "evil.exe: files of type application/x-msdownload are not accepted" in html
    assert not Case.objects.exists()
    assert not Evidence.objects.exists()


def test_honeypot_refuses_without_filing(client: Client, org: Organisation) -> None:
    response = _file(client, org, complaint(website="http://spam.example"))
    assert response.status_code == 400
    assert "could not be sent" in response.content.decode()
    assert not Case.objects.exists()
    assert not IntakeAttempt.objects.exists()


def test_rate_limit_per_ip(
    client: Client, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "plaint.portal.services.APP",
        replace(APP, portal_rate_limit=2, portal_rate_window_minutes=60),
    )
    for _ in range(2):
        assert _file(client, org, complaint()).status_code == 302
    refused = _file(client, org, complaint())
    assert refused.status_code == 429
    assert "Please try again later" in refused.content.decode()
    assert Case.objects.count() == 2
    # Another address is not affected.
    assert _file(client, org, complaint(), REMOTE_ADDR="10.0.0.9").status_code == 302
    # Addresses are not kept in clear.
    assert not IntakeAttempt.objects.filter(client__contains="127.0.0.1").exists()


def test_rate_limit_zero_turns_it_off(
    client: Client, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("plaint.portal.services.APP", replace(APP, portal_rate_limit=0))
    for _ in range(3):
        assert _file(client, org, complaint()).status_code == 302
    assert not IntakeAttempt.objects.exists()
