"""Mail out of a case, through the outbox to a real SMTP server on loopback."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain import timeline
from plaint.domain.errors import FieldErrors
from plaint.letters.selectors import case_letter
from plaint.letters.services import letter_generate
from plaint.messaging.models import Message
from plaint.messaging.services import (
    canned_reply_save,
    canned_reply_send,
    customer_notify,
    letter_email_send,
    message_send,
    notification_setting_save,
)
from plaint.outbox.models import Delivery
from plaint.outbox.services import backoff, deliveries_run, delivery_resolve
from tests.conftest import NOW, open_case
from tests.messaging.conftest import Smtp

LATER = NOW + timedelta(minutes=5)


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def send(case: Case, user: User, **kw: object) -> Message:
    values: dict[str, object] = {
        "case": case,
        "subject": "About your bill",
        "text": "We are looking into it.",
        "actor": Actor.staff(user),
        "now": NOW,
    }
    values.update(kw)
    return message_send(**values)  # type: ignore[arg-type]


def test_send_queues_message_delivery_and_event_together(case: Case, agent: User) -> None:
    message = send(case, agent)
    assert message.delivery is not None and message.delivery.status == "queued"
    assert kinds(case)[-1] == "message_queued"
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.visibility == "customer"
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.MessageQueued) and payload.to == "dana@example.org"
    assert "queued" in timeline.describe(payload)
    assert message.message_id.startswith(f"<{case.reference}.")
    assert message.message_id.endswith("@acme.test>")


def test_worker_delivers_and_records_acceptance(case: Case, agent: User, smtp: Smtp) -> None:
    message = send(case, agent)
    report = deliveries_run(now=LATER)
    assert report.sent == 1
    (got,) = smtp.inbox.parsed()
    assert got["Message-ID"] == message.message_id
    assert got["To"].addresses[0].addr_spec == "dana@example.org"
    assert got["Auto-Submitted"] is None  # staff's own words
    assert got.get_body(("plain",)).get_content().strip() == "We are looking into it."
    delivery = Delivery.objects.get(pk=message.delivery_id)
    assert delivery.status == "sent" and "queued as LOOP1" in delivery.server_reply
    assert delivery.accepted_at == LATER
    assert kinds(case)[-1] == "message_delivery"
    assert deliveries_run(now=LATER + timedelta(hours=1)).sent == 0  # never twice
    assert len(smtp.inbox.messages) == 1
    assert ledger_verify(reference=case.reference).ok


@pytest.mark.parametrize(
    ("field", "kw"),
    [
        ("subject", {"subject": "  "}),
        ("text", {"text": ""}),
        ("text", {"text": "a\x00b"}),
        ("evidence", {"evidence_ids": [999_999]}),
        ("letter_seq", {"letter_seq": 1}),
    ],
)
def test_refusals_write_nothing(case: Case, agent: User, field: str, kw: dict) -> None:  # type: ignore[type-arg]
    before = kinds(case)
    with pytest.raises(FieldErrors) as refused:
        send(case, agent, **kw)
    assert field in refused.value.errors
    assert kinds(case) == before
    assert not Message.objects.exists() and not Delivery.objects.exists()


def test_no_address_no_mail(org: Organisation, agent: User) -> None:
    from plaint.cases.services import CustomerDetails

    case = open_case(org, agent, customer=CustomerDetails(name="Pat"))
    with pytest.raises(FieldErrors) as refused:
        send(case, agent)
    assert "no e-mail address" in refused.value.errors["to"]


def test_evidence_of_another_case_cannot_be_attached(org: Organisation, agent: User) -> None:
    first, second = open_case(org, agent), open_case(org, agent)
    item = case_services.case_evidence_attach(
        case=second, filename="note.txt", stream=io.BytesIO(b"secret"),
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip
    with pytest.raises(FieldErrors):
        send(first, agent, evidence_ids=[item.pk])


def test_evidence_attached(case: Case, agent: User, smtp: Smtp) -> None:
    item = case_services.case_evidence_attach(
        case=case, filename="receipt.txt", stream=io.BytesIO(b"paid 84.20"),
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip
    send(case, agent, evidence_ids=[item.pk])
    deliveries_run(now=LATER)
    (got,) = smtp.inbox.parsed()
    (part,) = list(got.iter_attachments())
    assert part.get_filename() == "receipt.txt" and part.get_content() == "paid 84.20"


def test_smtp_down_then_back_nothing_lost_nothing_twice(
    case: Case, agent: User, smtp: Smtp
) -> None:
    smtp.stop()
    send(case, agent)
    first = deliveries_run(now=LATER)
    assert first.deferred == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "deferred" and delivery.attempts == 1
    assert delivery.next_attempt_at == LATER + backoff(1)
    assert "cannot reach the mail server" in delivery.last_error
    assert deliveries_run(now=LATER + timedelta(seconds=30)).deferred == 0  # not due yet
    smtp.start()
    assert deliveries_run(now=LATER + backoff(1)).sent == 1
    assert deliveries_run(now=LATER + timedelta(hours=2)).sent == 0
    assert len(smtp.inbox.messages) == 1
    assert Delivery.objects.get().attempts == 2


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(20) == timedelta(hours=6)


def test_refused_for_good_is_bounced(case: Case, agent: User, smtp: Smtp) -> None:
    smtp.inbox.answer = "550 5.1.1 No such user"
    send(case, agent)
    assert deliveries_run(now=LATER).bounced == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "bounced" and "550" in delivery.last_error
    assert kinds(case)[-1] == "message_delivery"
    assert deliveries_run(now=LATER + timedelta(days=1)).bounced == 0  # not retried


def test_temporary_refusal_is_retried(case: Case, agent: User, smtp: Smtp) -> None:
    smtp.inbox.answer = "451 4.3.0 Try later"
    send(case, agent)
    assert deliveries_run(now=LATER).deferred == 1
    smtp.inbox.answer = "250 OK"
    assert deliveries_run(now=LATER + backoff(1)).sent == 1


def test_a_person_resolves_an_unknown_delivery(case: Case, agent: User, smtp: Smtp) -> None:
    send(case, agent)
    Delivery.objects.update(status="sending", lease_until=NOW, claimed_by="gone:1")
    assert deliveries_run(now=LATER).unknown == 1
    assert Delivery.objects.get().status == "unknown"
    assert smtp.inbox.messages == []  # flagged, not resent
    delivery_resolve(delivery=Delivery.objects.get(), arrived=False, by="Alice", now=LATER)
    assert deliveries_run(now=LATER).sent == 1
    outcomes = [
        ev.payload_from_json(e.kind, e.clear_payload).outcome  # type: ignore[attr-defined]
        for e in CaseEvent.objects.filter(case=case, kind="message_delivery").order_by("seq")
    ]
    assert outcomes == ["unknown", "queued", "sent"]
    assert len(smtp.inbox.messages) == 1


def test_letter_by_email_is_marked_sent_on_acceptance(case: Case, agent: User, smtp: Smtp) -> None:
    done = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW,
        fields={"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row"},
    )  # fmt: skip
    seq = done.event.seq
    letter_email_send(case=case, seq=seq, actor=Actor.staff(agent), now=NOW)
    assert case_letter(case=case, seq=seq).sent is None  # queued is not sent
    deliveries_run(now=LATER)
    kept = case_letter(case=case, seq=seq)
    assert kept.sent is not None and kept.sent.payload.method == "email"
    assert kept.sent.sent_at == LATER
    (got,) = smtp.inbox.parsed()
    (pdf,) = list(got.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content()[:5] == b"%PDF-"
    case.refresh_from_db()
    assert case.status == "acknowledged"
    assert ledger_verify(reference=case.reference).ok


def test_canned_reply_fills_fields_literally(org: Organisation, agent: User, smtp: Smtp) -> None:
    # Names refuse template syntax at intake; a product name does not.
    case = open_case(org, agent, product="{{ 7*7 }} {% debug %}")
    reply = canned_reply_save(
        organisation_id=org.pk, name="Thanks", subject="Re {{ case.reference }}",
        body="Dear {{ customer.name }}, about {{ case.product }}, from {{ staff.name }}",
    )  # fmt: skip
    message = canned_reply_send(case=case, reply=reply, actor=Actor.staff(agent), now=NOW)
    assert message.text == "Dear Dana Whitfield, about {{ 7*7 }} {% debug %}, from Alice Agent"
    assert message.subject == f"Re {case.reference}"
    with pytest.raises(FieldErrors):
        canned_reply_save(organisation_id=org.pk, name="Bad", subject="x", body="{{ case.pin }}")
    odd = canned_reply_save(organisation_id=org.pk, name="Odd", subject="x", body="{{ 7*7 }}")
    sent = canned_reply_send(case=case, reply=odd, actor=Actor.staff(agent), now=NOW)
    assert sent.text == "{{ 7*7 }}"


def test_notifications_are_automatic_and_can_be_turned_off(
    case: Case, org: Organisation, smtp: Smtp
) -> None:
    message = customer_notify(case=case, moment="acknowledgement", now=NOW)
    assert message is not None and message.automatic == "auto-generated"
    deliveries_run(now=LATER)
    (got,) = smtp.inbox.parsed()
    assert got["Auto-Submitted"] == "auto-generated"
    assert case.reference in got["Subject"]
    notification_setting_save(organisation_id=org.pk, moment="offer", enabled=False)
    assert customer_notify(case=case, moment="offer", now=NOW) is None
    notification_setting_save(
        organisation_id=org.pk, moment="final_response", enabled=True,
        subject="Final word on {{ case.reference }}", body="Done, {{ customer.name }}.",
    )  # fmt: skip
    final = customer_notify(case=case, moment="final_response", now=NOW)
    assert final is not None and final.text == "Done, Dana Whitfield."


def test_a_contact_restriction_stops_the_mail_before_anything_is_written(
    case: Case, agent: User
) -> None:
    """ "Only through their solicitor" forbids e-mailing the customer: refused with the
    reason, no message, no delivery, no event; once lifted, the mail goes."""
    from plaint.disputes import services as disputes
    from plaint.disputes.models import ContactRestriction
    from plaint.messaging.services import ContactRestricted

    by = Actor.staff(agent)
    disputes.restriction_add(case=case, kind="solicitor_only", actor=by, now=NOW)
    before = kinds(case)
    with pytest.raises(ContactRestricted, match=case.reference):
        send(case, agent, now=LATER)
    assert kinds(case) == before
    assert not Message.objects.filter(case=case).exists() and not Delivery.objects.exists()
    disputes.restriction_lift(
        restriction=ContactRestriction.objects.get(), reason="Solicitor withdrew.", actor=by,
        now=LATER,
    )  # fmt: skip
    assert send(case, agent, now=LATER + timedelta(minutes=1)).delivery is not None
