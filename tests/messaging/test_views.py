"""The desk's mail pages: the case panel, sending from it, the outbox, new replies and a
received message shown safely."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from time_machine import TimeMachineFixture

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case
from plaint.messaging.inbound import message_receive
from plaint.messaging.models import Message
from plaint.outbox.models import Delivery
from plaint.outbox.services import deliveries_run
from tests.conftest import NOW
from tests.messaging.conftest import Smtp
from tests.messaging.mail import raw_mail


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine: TimeMachineFixture) -> None:
    """The views read the clock: pin it at NOW, so what they stamp is what the test
    expects on every day of the year."""
    time_machine.move_to(NOW, tick=False)


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"pw-{username}-123")
    return client


def test_send_from_the_case_page(case: Case, agent: User, smtp: Smtp) -> None:
    client = login("alice")
    page = client.get(f"/cases/{case.reference}/")
    assert page.status_code == 200
    assert b'id="mail"' in page.content and b"Send e-mail" in page.content
    sent = client.post(
        f"/mail/cases/{case.reference}/send/",
        {"subject": "Hello\r\nBcc: x@evil.test", "text": "We are on it {{ 7*7 }}"},
    )
    assert sent.status_code == 302 and sent["Location"].endswith("#mail")
    message = Message.objects.get()
    assert message.subject == "Hello Bcc: x@evil.test"
    deliveries_run(now=NOW + timedelta(seconds=1))
    (got,) = smtp.inbox.parsed()
    assert got["Bcc"] is None
    assert "{{ 7*7 }}" in got.get_body(("plain",)).get_content()
    page = client.get(f"/cases/{case.reference}/")
    assert b"Sent" in page.content and b"We are on it {{ 7*7 }}" in page.content


def test_a_refused_send_says_why_and_writes_nothing(case: Case, agent: User) -> None:
    client = login("alice")
    refused = client.post(f"/mail/cases/{case.reference}/send/", {"subject": "x", "text": ""})
    assert refused.status_code == 400 and b"is required" in refused.content
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_outbox_is_for_supervisors_and_resolves_unknown(
    case: Case, agent: User, supervisor: User
) -> None:
    assert login("alice").get("/mail/outbox/").status_code == 403
    client = login("sue")
    client.post(f"/mail/cases/{case.reference}/send/", {"subject": "Hi", "text": "Words"})
    Delivery.objects.update(status="unknown")
    page = client.get("/mail/outbox/?status=unknown")
    assert page.status_code == 200 and b"It arrived" in page.content
    delivery = Delivery.objects.get()
    done = client.post(f"/mail/outbox/{delivery.pk}/resolve/", {"arrived": "yes"})
    assert done.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.resolved_by == "Sue Visor"
    again = client.post(f"/mail/outbox/{delivery.pk}/resolve/", {"arrived": "yes"})
    assert again.status_code == 400


def test_new_replies_queue_and_safe_message_page(
    org: Organisation, case: Case, agent: User, supervisor: User
) -> None:
    html = '<p>Hi</p><img src="https://track.example/p.gif"><script>alert(1)</script>'
    got = message_receive(
        raw_mail(subject=f"Re {case.reference}", html=html),
        organisation=org, source="test", now=NOW,
    )  # fmt: skip
    client = login("alice")
    queue = client.get("/mail/replies/")
    assert case.reference.encode() in queue.content
    page = client.get(f"/mail/messages/{got.message.pk}/")
    assert page.status_code == 200
    assert b"track.example" not in page.content and b"alert(1)" not in page.content
    assert "img-src 'none'" in page["Content-Security-Policy"]
    client.post(f"/mail/cases/{case.reference}/read/")
    assert case.reference.encode() not in client.get("/mail/replies/").content


def test_unmatched_mail_is_shown_to_supervisors(org: Organisation, supervisor: User) -> None:
    message_receive(
        raw_mail(sender="bot@example.net", headers={"Precedence": "bulk"}),
        organisation=org, source="test", now=NOW,
    )  # fmt: skip
    page = login("sue").get("/mail/replies/")
    assert b"Could not be matched" in page.content and b"Precedence: bulk" in page.content


def test_another_organisation_sees_nothing(case: Case, agent: User, outsider: User) -> None:
    client = login("alice")
    client.post(f"/mail/cases/{case.reference}/send/", {"subject": "Hi", "text": "Words"})
    other = login("oscar")
    message = Message.objects.get()
    assert other.get(f"/mail/messages/{message.pk}/").status_code == 404
    assert (
        other.post(f"/mail/cases/{case.reference}/send/", {"subject": "x", "text": "y"}).status_code
        == 404
    )
    assert b"Words" not in other.get("/mail/outbox/").content
