"""The inbound-mail webhooks (Mailgun, Postmark through django-anymail) over HTTP: bodies
built and signed the way each service builds and signs them, fed to the one inbound
service. A refused check writes nothing; a replay is recorded once; malformed, oversized
and hostile requests get a precise answer, never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.test import Client
from django.test.client import encode_multipart

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Evidence
from plaint.messaging.models import Message
from plaint.messaging.rawstore import raw_read
from plaint.messaging.services import message_send
from tests.conftest import NOW
from tests.messaging.mail import raw_mail

SIGNING_KEY = "key-0123456789abcdef0123456789abcdef"
SECRET = "plaint-hook:a-long-random-webhook-password"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BOUNDARY = "BoUnDaRyStRiNg"


@pytest.fixture(autouse=True)
def _anymail(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANYMAIL = {"WEBHOOK_SECRET": [SECRET], "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def _auth(secret: str = SECRET) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


def mailgun_fields(raw: bytes, *, key: str = SIGNING_KEY, token: str = "a" * 50) -> dict[str, str]:
    """What Mailgun's forward() posts for raw MIME, signed as Mailgun signs: HMAC-SHA256
    of timestamp + token under the webhook signing key, in hex."""
    timestamp = "1772445600"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "body-mime": raw.decode("utf-8"),
        "recipient": "desk@acme.test",
        "sender": "dana@example.org",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }


def post_mailgun(client: Client, fields: dict[str, Any], slug: str = "acme", **extra: Any):  # type: ignore[no-untyped-def]
    extra = {**_auth(), **extra}  # the basic auth set for every service, then the signature
    return client.post(
        f"/mail/inbound/{slug}/mailgun/",
        data=encode_multipart(BOUNDARY, fields),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        **extra,
    )


def postmark_body(raw: bytes, **overrides: Any) -> str:
    """Postmark's inbound JSON with "Include raw email content" on."""
    body: dict[str, Any] = {
        "FromFull": {"Email": "dana@example.org", "Name": "Dana Whitfield"},
        "ToFull": [{"Email": "desk@acme.test", "Name": ""}],
        "Subject": "Re: your complaint",
        "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Headers": [{"Name": "Return-Path", "Value": "<dana@example.org>"}],
        "TextBody": "Thanks",
        "Attachments": [],
        "RawEmail": raw.decode("utf-8"),
    }
    body.update(overrides)
    return json.dumps(body)


def post_postmark(client: Client, body: str, slug: str = "acme", **extra: Any):  # type: ignore[no-untyped-def]
    headers = _auth() if "HTTP_AUTHORIZATION" not in extra else {}
    return client.post(
        f"/mail/inbound/{slug}/postmark/",
        data=body,
        content_type="application/json",
        **headers,
        **extra,
    )


def _written() -> tuple[int, int, int]:
    return Message.objects.count(), CaseEvent.objects.count(), Evidence.objects.count()


def test_mailgun_reply_threads_to_its_case_with_evidence(
    client: Client, org: Organisation, case: Case, agent: Any
) -> None:
    sent = message_send(
        case=case, subject="Our offer", text="A refund.", actor=Actor.staff(agent), now=NOW
    )
    raw = raw_mail(
        in_reply_to=sent.message_id, message_id="<mg1@mail.example.org>",
        attachments=[("receipt.pdf", "application/pdf", PDF)],
    )  # fmt: skip
    response = post_mailgun(client, mailgun_fields(raw))
    assert response.status_code == 200, response.content
    assert [r["outcome"] for r in response.json()["received"]] == ["recorded"]
    message = Message.objects.get(message_id="<mg1@mail.example.org>")
    assert message.case_id == case.pk and message.source == "webhook:mailgun"
    assert raw_read(message.raw_sha256) == raw  # the raw MIME, byte for byte
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert last is not None and last.kind == "message_received"
    assert Evidence.objects.filter(case=case, filename="receipt.pdf").count() == 1


def test_mailgun_bad_signature_is_refused_and_writes_nothing(
    client: Client, org: Organisation, case: Case
) -> None:
    before = _written()
    fields = mailgun_fields(raw_mail(), key="key-not-the-right-one-at-all")
    response = post_mailgun(client, fields)
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]
    tampered = mailgun_fields(raw_mail()) | {"token": "b" * 50}  # signature of another token
    assert post_mailgun(client, tampered).status_code == 403
    unsigned = {k: v for k, v in mailgun_fields(raw_mail()).items() if k != "signature"}
    assert post_mailgun(client, unsigned).status_code == 403
    assert _written() == before


def test_mailgun_with_basic_auth_set_needs_it_too(
    client: Client, org: Organisation, case: Case
) -> None:
    fields = mailgun_fields(raw_mail(message_id="<mg2@mail.example.org>"))
    assert (
        post_mailgun(client, fields, **_auth("plaint-hook:wrong-password-here")).status_code == 403
    )
    assert not Message.objects.filter(message_id="<mg2@mail.example.org>").exists()
    assert post_mailgun(client, fields, **_auth()).status_code == 200


def test_a_replayed_webhook_is_recorded_once(client: Client, org: Organisation, case: Case) -> None:
    raw = raw_mail(subject=f"Re: {case.reference}", message_id="<replay@mail.example.org>")
    fields = mailgun_fields(raw)
    first = post_mailgun(client, fields)
    after_first = _written()
    again = post_mailgun(client, fields)  # the very same signed request, sent again
    assert first.json()["received"][0]["outcome"] == "recorded"
    assert again.status_code == 200
    assert again.json()["received"][0]["outcome"] == "duplicate"
    assert _written() == after_first
    # The same message through the other service, or by IMAP, is still the same message.
    assert post_postmark(client, postmark_body(raw)).json()["received"][0]["outcome"] == "duplicate"
    assert Message.objects.filter(message_id="<replay@mail.example.org>").count() == 1


def test_postmark_needs_basic_auth(client: Client, org: Organisation, case: Case) -> None:
    before = _written()
    body = postmark_body(raw_mail(message_id="<pm0@mail.example.org>"))
    assert post_postmark(client, body, HTTP_AUTHORIZATION="").status_code == 403
    bad = _auth("plaint-hook:not-the-password-at-all")
    assert post_postmark(client, body, **bad).status_code == 403
    assert _written() == before


def test_postmark_raw_email_opens_a_case_for_a_new_sender(
    client: Client, org: Organisation
) -> None:
    raw = raw_mail(sender="Sam Newman <sam@example.net>", subject="My bill is wrong",
                   message_id="<pm1@mail.example.org>")  # fmt: skip
    response = post_postmark(client, postmark_body(raw))
    assert response.status_code == 200, response.content
    assert response.json()["received"][0]["outcome"] == "new_case"
    message = Message.objects.get(message_id="<pm1@mail.example.org>")
    assert message.case is not None and message.case.customer.email == "sam@example.net"
    assert raw_read(message.raw_sha256) == raw


def test_postmark_without_raw_email_is_rebuilt_from_its_fields(
    client: Client, org: Organisation, case: Case
) -> None:
    body = json.loads(postmark_body(b""))
    del body["RawEmail"]
    body.update(
        Subject=f"Re: {case.reference}",
        TextBody="Here is the receipt.",
        Headers=[{"Name": "Message-ID", "Value": "<pm2@mail.example.org>"}],
        Attachments=[{"Name": "receipt.pdf", "ContentType": "application/pdf",
                      "Content": base64.b64encode(PDF).decode(), "ContentLength": len(PDF)}],
    )  # fmt: skip
    response = post_postmark(client, json.dumps(body))
    assert response.json()["received"][0]["outcome"] == "recorded", response.content
    message = Message.objects.get(message_id="<pm2@mail.example.org>")
    assert message.case_id == case.pk and "Here is the receipt." in message.text
    assert Evidence.objects.filter(case=case, filename="receipt.pdf").exists()


def test_a_delivery_report_through_the_webhook_bounces_its_message(
    client: Client, org: Organisation, case: Case, agent: Any
) -> None:
    sent = message_send(
        case=case, subject="Our offer", text="A refund.", actor=Actor.staff(agent), now=NOW
    )
    report = (
        "From: MAILER-DAEMON@mx.example.org\r\nTo: desk@acme.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@mx.example.org>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n'
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {sent.message_id}\r\nSubject: Our offer\r\n\r\n--b--\r\n"
    ).encode()
    response = post_mailgun(client, mailgun_fields(report))
    assert response.json()["received"][0]["outcome"] == "bounce"
    assert sent.delivery is not None
    sent.delivery.refresh_from_db()
    assert sent.delivery.status == "bounced"


def test_malformed_requests_get_400_and_write_nothing(
    client: Client, org: Organisation, case: Case
) -> None:
    before = _written()
    not_json = post_postmark(client, "{not json")
    assert not_json.status_code == 400 and "Postmark" in not_json.json()["detail"]
    assert post_postmark(client, json.dumps(["a", "list"])).status_code == 400
    bounce_hook = post_postmark(client, json.dumps({"RecordType": "Bounce", "ID": 1}))
    assert bounce_hook.status_code == 400  # a tracking webhook pointed at the inbound URL
    fields = mailgun_fields(raw_mail())
    del fields["timestamp"]
    assert post_mailgun(client, fields).status_code == 403  # unsigned without its timestamp
    broken_form = client.post(
        "/mail/inbound/acme/mailgun/", data=b"--x\r\nno headers at all",
        content_type="multipart/form-data; boundary=x",
    )  # fmt: skip
    assert broken_form.status_code in {400, 403}
    assert _written() == before


def test_malformed_mime_is_kept_raw_with_its_reason(
    client: Client, org: Organisation, case: Case
) -> None:
    raw = b"this is not an e-mail at all\r\n\x00\xff"
    fields = mailgun_fields(b"")
    fields["body-mime"] = raw.decode("utf-8", "replace")
    response = post_mailgun(client, fields)
    assert response.status_code == 200
    got = response.json()["received"][0]
    assert got["outcome"] == "rejected" and "kept raw" in got["reason"]
    kept = Message.objects.get(source="webhook:mailgun")
    assert kept.case is None and kept.state == Message.State.REJECTED


def test_oversized_requests_are_refused_before_reading(
    client: Client, settings: Any, org: Organisation, case: Case
) -> None:
    settings.MAIL_WEBHOOK_MAX_BYTES = 50_000
    before = _written()
    big = raw_mail(text="x" * 60_000, message_id="<big@mail.example.org>")
    response = post_postmark(client, postmark_body(big))
    assert response.status_code == 413 and "50,000" in response.json()["detail"]
    assert post_mailgun(client, mailgun_fields(big)).status_code == 413
    assert _written() == before


def test_a_message_over_the_mail_limit_is_kept_raw_only(
    client: Client, settings: Any, org: Organisation, case: Case
) -> None:
    settings.MAIL_MAX_BYTES = 20_000  # the inbound service's limit, below the request's
    big = raw_mail(subject=f"Re: {case.reference}", text="y" * 30_000)
    response = post_mailgun(client, mailgun_fields(big))
    got = response.json()["received"][0]
    assert got["outcome"] == "rejected" and "larger than the limit" in got["reason"]
    assert not CaseEvent.objects.filter(case=case, kind="message_received").exists()


def test_hostile_content_is_recorded_inert(client: Client, org: Organisation, case: Case) -> None:
    raw = raw_mail(
        sender='"Dana\u202e <script>" <dana@example.org>',
        subject=f"Re: {case.reference} {{{{ 7*7 }}}} <script>alert(1)</script>",
        text="{{ 7*7 }} <script>alert(1)</script>",
        html='<p onclick="x()">Hi<img src="https://track.example/p.gif"><script>alert(1)</script></p>',
        message_id="<hostile@mail.example.org>",
    )  # fmt: skip
    response = post_postmark(client, postmark_body(raw))
    assert response.status_code == 200
    message = Message.objects.get(message_id="<hostile@mail.example.org>")
    assert message.case_id == case.pk
    assert "<script" not in message.html_safe and "<img" not in message.html_safe
    assert "onclick" not in message.html_safe
    assert "{{ 7*7 }}" in message.text  # kept literally, never evaluated
    assert "\n" not in message.subject and "\r" not in message.subject


def test_unknown_organisation_or_unconfigured_service_is_404(
    client: Client, settings: Any, org: Organisation
) -> None:
    assert post_postmark(client, postmark_body(raw_mail()), slug="nobody").status_code == 404
    assert post_mailgun(client, mailgun_fields(raw_mail()), slug="nobody").status_code == 404
    settings.ANYMAIL = {}
    assert post_postmark(client, postmark_body(raw_mail())).status_code == 404
    assert post_mailgun(client, mailgun_fields(raw_mail())).status_code == 404
    assert Message.objects.count() == 0


def test_only_post_is_answered(client: Client, org: Organisation) -> None:
    assert client.get("/mail/inbound/acme/postmark/").status_code == 405
    assert client.head("/mail/inbound/acme/mailgun/").status_code == 200  # set-up check
