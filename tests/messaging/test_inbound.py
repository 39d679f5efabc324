"""Mail into cases through `message_receive`: threading, dedupe, evidence, loops and
hostile mail. Every refusal keeps the raw message with its reason and half-records nothing."""

from __future__ import annotations

import hashlib
import mailbox
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent, Evidence
from plaint.domain import events as ev
from plaint.messaging.inbound import message_receive
from plaint.messaging.models import Message
from plaint.messaging.rawstore import raw_read
from plaint.messaging.services import message_send
from plaint.outbox.models import Delivery
from plaint.outbox.services import deliveries_run
from tests.conftest import NOW
from tests.messaging.conftest import Smtp
from tests.messaging.mail import raw_mail

LATER = NOW + timedelta(hours=1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def receive(org: Organisation, raw: bytes, **kw: object):  # type: ignore[no-untyped-def]
    return message_receive(raw, organisation=org, source="test", now=LATER, **kw)  # type: ignore[arg-type]


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def outbound(case: Case, user: User) -> Message:
    return message_send(
        case=case, subject="Our offer", text="We offer a refund.", actor=Actor.staff(user), now=NOW
    )


def test_a_reply_threads_to_its_case_by_headers(org: Organisation, case: Case, agent: User) -> None:
    sent = outbound(case, agent)
    text = "Yes please.\n\n-- \nDana\n\nOn Mon, 2 Mar 2026, Acme wrote:\n> We offer a refund."
    raw = raw_mail(in_reply_to=sent.message_id, subject="Re: Our offer", text=text)
    got = receive(org, raw)
    assert got.outcome == "recorded"
    message = got.message
    assert message.case_id == case.pk and message.needs_reading
    assert message.text_shown == "Yes please."
    assert "We offer a refund." in message.text  # the full text is kept
    assert raw_read(message.raw_sha256) == raw
    assert message.raw_sha256 == hashlib.sha256(raw).hexdigest()
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "message_received"
    assert event.visibility == "customer"
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.MessageReceived) and payload.text == "Yes please."
    assert ledger_verify(reference=case.reference).ok


def test_our_message_id_alone_finds_the_case(org: Organisation, case: Case) -> None:
    raw = raw_mail(in_reply_to=f"<{case.reference}.deadbeef@acme.test>")
    assert receive(org, raw).message.case_id == case.pk


def test_the_same_message_twice_is_recorded_once(org: Organisation, case: Case) -> None:
    raw = raw_mail(subject=f"Re: {case.reference}")
    assert receive(org, raw).outcome == "recorded"
    again = receive(org, raw)
    assert again.outcome == "duplicate"
    assert kinds(case).count("message_received") == 1
    assert Message.objects.count() == 1


def test_reference_in_subject_from_the_customer(org: Organisation, case: Case) -> None:
    got = receive(org, raw_mail(subject=f"About {case.reference}", sender="dana@example.org"))
    assert got.outcome == "recorded" and got.message.case_id == case.pk


def test_forged_reference_from_a_stranger_is_not_attached(org: Organisation, case: Case) -> None:
    before = kinds(case)
    got = receive(org, raw_mail(subject=f"Re: {case.reference}", sender="mallory@evil.test"))
    assert got.outcome == "unmatched" and got.message.case_id is None
    assert "not its customer" in got.message.reason
    assert kinds(case) == before
    assert Case.objects.count() == 1  # and no new case either


def test_a_new_sender_opens_a_case_and_is_acknowledged(org: Organisation, smtp: Smtp) -> None:
    raw = raw_mail(
        sender="Sam Jones <sam@example.net>", subject="Overcharged", text="You billed me twice."
    )
    got = receive(org, raw)
    assert got.outcome == "new_case"
    case = Case.objects.get()
    assert case.customer.email == "sam@example.net" and case.channel == "email"
    assert case.description == "You billed me twice."
    assert kinds(case)[0] == "case_opened" and "message_received" in kinds(case)
    ack = Message.objects.get(direction="out")
    assert ack.automatic == "auto-generated" and ack.purpose == "acknowledgement"
    deliveries_run(now=LATER)
    (mail,) = smtp.inbox.parsed()
    assert mail["Auto-Submitted"] == "auto-generated" and case.reference in mail["Subject"]
    assert mail["In-Reply-To"] == "<r1@mail.example.org>"


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"List-Id": "<news.example.net>"},
        {"X-Loop": "desk@acme.test"},
    ],
)
def test_automatic_mail_from_a_stranger_opens_no_case_and_gets_no_answer(
    org: Organisation, headers: dict[str, str]
) -> None:
    got = receive(org, raw_mail(sender="bot@example.net", headers=headers))
    assert got.outcome == "unmatched" and got.message.automatic
    assert not Case.objects.exists()
    assert not Message.objects.filter(direction="out").exists()


def test_our_own_mail_coming_back_is_not_answered(org: Organisation) -> None:
    got = receive(org, raw_mail(sender="desk@acme.test"))
    assert got.outcome == "unmatched" and "own address" in got.message.automatic
    assert not Case.objects.exists()


def test_an_out_of_office_on_a_case_is_recorded_quietly(org: Organisation, case: Case) -> None:
    raw = raw_mail(subject=f"Auto: {case.reference}", headers={"Auto-Submitted": "auto-replied"})
    got = receive(org, raw)
    assert got.outcome == "recorded" and not got.message.needs_reading
    assert got.message.automatic.startswith("Auto-Submitted")


def test_header_injection_in_a_received_subject(org: Organisation, case: Case) -> None:
    raw = (
        b"From: dana@example.org\r\nTo: desk@acme.test\r\nMessage-ID: <inj@x>\r\n"
        b"Subject: =?utf-8?q?Hi=0D=0ABcc=3A_victim=40evil=2Etest?=\r\n\r\nHello\r\n"
    )
    got = receive(org, raw)
    assert "\n" not in got.message.subject and "\r" not in got.message.subject


def test_html_is_sanitised_and_images_never_loaded(org: Organisation, case: Case) -> None:
    html = (
        '<p onmouseover="x()">Hello<script>fetch("https://evil.test")</script></p>'
        '<img src="https://track.example/pixel.gif?id=42" width="1" height="1">'
    )
    got = receive(org, raw_mail(subject=f"Re {case.reference}", html=html))
    safe = got.message.html_safe
    assert "Hello" in safe
    for bad in ("script", "img", "track.example", "onmouseover", "evil.test"):
        assert bad not in safe


def test_html_only_mail_gets_its_text(org: Organisation, case: Case) -> None:
    raw = (
        b"From: dana@example.org\r\nTo: desk@acme.test\r\nMessage-ID: <h@x>\r\n"
        b"Subject: Re " + case.reference.encode() + b"\r\nContent-Type: text/html\r\n\r\n"
        b"<p>I <b>accept</b><script>x</script></p>\r\n"
    )
    got = receive(org, raw)
    assert got.message.text == "I accept"


def test_a_30_mb_message_is_kept_raw_with_its_reason(org: Organisation, case: Case) -> None:
    big = raw_mail(
        subject=f"Re {case.reference}",
        attachments=[("video.pdf", "application/pdf", PDF + b"0" * (30 * 1024 * 1024))],
    )
    before = kinds(case)
    got = receive(org, big)
    assert got.outcome == "rejected" and "larger than the limit" in got.message.reason
    assert raw_read(got.message.raw_sha256) == big
    assert kinds(case) == before and not Evidence.objects.exists()
    assert receive(org, big).outcome == "duplicate"


def test_attachments_become_evidence_and_a_zip_is_refused(org: Organisation, case: Case) -> None:
    raw = raw_mail(
        subject=f"Re {case.reference}",
        attachments=[
            ("statement.pdf", "application/pdf", PDF),
            ("files.zip", "application/zip", b"PK\x03\x04zipzip"),
            ("fake.pdf", "application/pdf", b"MZ\x90\x00 not a pdf"),
        ],
    )
    got = receive(org, raw)
    assert got.outcome == "recorded"
    (item,) = Evidence.objects.filter(case=case)
    assert item.filename == "statement.pdf"
    assert "application/zip are not accepted" in got.message.reason
    assert "does not look like application/pdf" in got.message.reason
    event = CaseEvent.objects.filter(case=case, kind="message_received").get()
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.MessageReceived)
    assert payload.evidence_ids == [item.pk] and len(payload.refused_attachments) == 2


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage with no headers at all",
        b"From: \r\nSubject: x\r\n\r\nno sender",
        b"From: dana@example.org\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all",
        b'From: dana@example.org\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nodd\r\n",
        b"From: =?utf-8?b?broken\r\nSubject: =?x?q?y?=\r\nMessage-ID: <<<>>>\r\n\r\nhi",
    ],
)
def test_malformed_mail_never_breaks(org: Organisation, case: Case, raw: bytes) -> None:
    got = receive(org, raw, open_cases=False)
    assert got.outcome in {"rejected", "unmatched", "recorded"}
    assert got.message.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert ledger_verify(reference=case.reference).ok


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252", "shift_jis", "koi8-r"])
def test_non_utf8_charsets(org: Organisation, case: Case, charset: str) -> None:
    words = {
        "iso-8859-1": "Ça coûte 84,20 EUR",
        "windows-1252": "Refund \u201cnow\u201d \u2013 84.20 \u20ac",
        "shift_jis": "返金をお願いします",
        "koi8-r": "Верните деньги",
    }[charset]
    raw = raw_mail(subject=f"Re {case.reference}", text=words, charset=charset)
    assert f"charset={charset}".encode() in raw.lower().replace(b'"', b"")
    got = receive(org, raw)
    assert got.message.text.strip() == words


def test_per_sender_rate_limit(org: Organisation, case: Case, settings) -> None:  # type: ignore[no-untyped-def]
    from plaint.messaging import inbound

    for n in range(inbound.RATE_LIMIT):
        assert receive(org, raw_mail(message_id=f"<n{n}@x>", subject=case.reference)).outcome == (
            "recorded"
        )
    got = receive(org, raw_mail(message_id="<over@x>", subject=case.reference))
    assert got.outcome == "rejected" and "more than" in got.message.reason
    assert kinds(case).count("message_received") == inbound.RATE_LIMIT


def test_a_reply_ends_waiting_for_the_customer(org: Organisation, case: Case, agent: User) -> None:
    actor = Actor.staff(agent)
    case_services.case_transition(case=case, to="acknowledged", actor=actor, now=NOW)
    case_services.case_transition(case=case, to="investigating", actor=actor, now=NOW)
    case_services.case_transition(case=case, to="awaiting_customer", actor=actor, now=NOW)
    receive(org, raw_mail(subject=f"Re {case.reference}"))
    case.refresh_from_db()
    assert case.status == "investigating"


def test_a_delivery_report_bounces_its_message(
    org: Organisation, case: Case, agent: User, smtp: Smtp
) -> None:
    sent = outbound(case, agent)
    deliveries_run(now=NOW)
    report = (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: desk@acme.test\r\nMessage-ID: <dsn1@mx>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; dana@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {sent.message_id}\r\n"
        "Subject: Our offer\r\n--B--\r\n"
    ).encode()
    got = receive(org, report)
    assert got.outcome == "bounce"
    assert Delivery.objects.get(pk=sent.delivery_id).status == "bounced"
    assert kinds(case)[-1] == "message_delivery"


def test_mbox_imported_twice_records_nothing_twice(
    org: Organisation, case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "backlog.mbox"
    box = mailbox.mbox(path)
    for n in range(5):
        box.add(raw_mail(message_id=f"<m{n}@x>", subject=f"Re {case.reference} #{n}"))
    box.add(raw_mail(message_id="<new@x>", sender="Sam <sam@example.net>", subject="Hello"))
    box.flush()
    box.close()
    call_command("mail", "import", str(path), "--org", org.slug)
    assert "5 recorded" in capsys.readouterr().out
    call_command("mail", "import", str(path), "--org", org.slug)
    assert "6 duplicate" in capsys.readouterr().out
    assert kinds(case).count("message_received") == 5
    assert Case.objects.count() == 2
    eml = tmp_path / "one.eml"
    eml.write_bytes(raw_mail(message_id="<eml@x>", subject=f"Re {case.reference}"))
    call_command("mail", "import", str(eml), "--org", org.slug)
    assert "1 recorded" in capsys.readouterr().out


def test_the_assignee_is_told_once_per_wait(
    org: Organisation, case: Case, supervisor: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from plaint.messaging.inbound import replies_mark_read

    User.objects.filter(pk=supervisor.pk).update(email="sue@acme.test")
    with django_capture_on_commit_callbacks() as told:
        receive(org, raw_mail(message_id="<w1@x>", subject=case.reference))
        receive(org, raw_mail(message_id="<w2@x>", subject=case.reference))
    assert len(told) == 1  # the case joined "new replies" once
    replies_mark_read(case=case)
    with django_capture_on_commit_callbacks() as told:
        receive(org, raw_mail(message_id="<w3@x>", subject=case.reference))
    assert len(told) == 1


def test_replies_with_and_without_files_keep_the_ledger_whole(
    org: Organisation, case: Case, agent: User
) -> None:
    sent = outbound(case, agent)
    for n in range(3):
        raw = raw_mail(
            in_reply_to=sent.message_id, message_id=f"<f{n}@mail.example.org>",
            attachments=[(f"bill{n}.pdf", "application/pdf", PDF)] if n != 1 else None,
        )  # fmt: skip
        assert receive(org, raw).outcome == "recorded"
    assert kinds(case).count("message_received") == 3
    assert Evidence.objects.filter(case=case).count() == 2
    assert ledger_verify(reference=case.reference).ok
    assert Message.objects.filter(case=case, needs_reading=True).count() == 3


def test_a_batch_records_each_message_once_with_its_event(org: Organisation, case: Case) -> None:
    from plaint.messaging.inbound import messages_receive

    reply = raw_mail(subject=f"Re: {case.reference}", message_id="<b1@mail.example.org>")
    other = raw_mail(subject=f"Re: {case.reference}", message_id="<b2@mail.example.org>")
    broken = b"\x00\xff not mail"
    got = messages_receive(
        [reply, broken, reply, other], organisation=org, source="test", now=LATER
    )
    assert [g.outcome for g in got] == ["recorded", "rejected", "duplicate", "recorded"]
    assert kinds(case).count("message_received") == 2
    assert Message.objects.filter(message_id="<b1@mail.example.org>").count() == 1
    assert ledger_verify(reference=case.reference).ok


def test_a_batch_that_fails_half_way_records_none_of_it(
    org: Organisation, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plaint.messaging import inbound

    calls: list[int] = []
    real = inbound.event_append

    def failing(**kw: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the disk is full")
        return real(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(inbound, "event_append", failing)
    raws = [
        raw_mail(subject=f"Re: {case.reference}", message_id=f"<f{n}@mail.example.org>")
        for n in range(3)
    ]
    before = CaseEvent.objects.count()
    with pytest.raises(RuntimeError):
        inbound.messages_receive(raws, organisation=org, source="test", now=LATER)
    assert Message.objects.filter(direction=Message.Direction.IN).count() == 0
    assert CaseEvent.objects.count() == before
    monkeypatch.setattr(inbound, "event_append", real)
    got = inbound.messages_receive(raws, organisation=org, source="test", now=LATER)
    assert [g.outcome for g in got] == ["recorded"] * 3  # the next import records them all
