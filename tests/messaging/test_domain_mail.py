"""The pure mail rules: composing without header injection, RFC 3834 classification,
threading, trimming, sanitising and safe filling."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from plaint.domain.errors import FieldErrors
from plaint.domain.messaging.automatic import automatic_classify
from plaint.domain.messaging.compose import (
    Attachment,
    Outgoing,
    address_make,
    header_text_clean,
    message_bytes,
    message_compose,
    message_id_make,
    reference_of_message_id,
)
from plaint.domain.messaging.fill import template_check, template_fill
from plaint.domain.messaging.sanitise import html_sanitise
from plaint.domain.messaging.threading import message_ids_in, subject_references, thread_match
from plaint.domain.messaging.trimming import text_trim

WHEN = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def outgoing(**overrides: object) -> Outgoing:
    values: dict[str, object] = {
        "sender": address_make("Acme Energy", "desk@acme.test"),
        "to": address_make("Dana Whitfield", "dana@example.org"),
        "subject": "Your complaint AC-2026-000001",
        "text": "Hello",
        "message_id": message_id_make("AC-2026-000001", "acme.test", "ab12"),
        "date": WHEN,
    }
    values.update(overrides)
    return Outgoing(**values)  # type: ignore[arg-type]


def parsed(out: Outgoing):  # type: ignore[no-untyped-def]
    return message_from_bytes(message_bytes(message_compose(out)), policy=policy.default)


@pytest.mark.parametrize(
    "hostile",
    [
        "Dana\r\nBcc: victim@evil.test",
        "Dana\nBcc: victim@evil.test",
        "Dana\x00\rBcc: victim@evil.test",
        "Dana\u2028Bcc: victim@evil.test",
    ],
)
def test_names_and_subjects_cannot_add_headers(hostile: str) -> None:
    out = outgoing(to=address_make(hostile, "dana@example.org"), subject=hostile)
    raw = message_bytes(message_compose(out))
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert b"\nBcc:" not in raw
    assert "Bcc: victim@evil.test" in str(message["Subject"])  # kept as words, on one line
    assert message["To"].addresses[0].addr_spec == "dana@example.org"


@pytest.mark.parametrize(
    "address", ["dana@example.org\r\nBcc: x@y.z", "a@b.c, d@e.f", "<a@b.c>", "nobody", "a@", "@b"]
)
def test_an_address_must_be_one_mailbox(address: str) -> None:
    with pytest.raises(FieldErrors) as refused:
        address_make("Dana", address)
    assert "is not one e-mail address" in refused.value.errors["to"]


def test_rtl_overrides_are_removed_from_headers() -> None:
    assert header_text_clean("Refund \u202egnp.exe") == "Refund gnp.exe"


def test_automatic_notifications_say_so_and_replies_do_not() -> None:
    note = parsed(outgoing(automatic=True, loop_marker="desk@acme.test"))
    assert note["Auto-Submitted"] == "auto-generated"
    assert note["X-Loop"] == "desk@acme.test"
    reply = parsed(outgoing())
    assert reply["Auto-Submitted"] is None


def test_message_id_names_the_case_and_threads_back() -> None:
    mid = message_id_make("AC-2026-000001", "acme.test")
    assert mid.startswith("<AC-2026-000001.") and mid.endswith("@acme.test>")
    assert reference_of_message_id(mid, "acme.test") == "AC-2026-000001"
    assert reference_of_message_id(mid, "other.test") is None
    assert reference_of_message_id("<random@acme.test>", "acme.test") is None


def test_html_alternative_and_attachment() -> None:
    out = outgoing(
        html="<p>Hello</p>",
        attachments=(Attachment("../../etc/passwd\r\n.pdf", "application/pdf", b"%PDF-1.4"),),
    )
    message = parsed(out)
    parts = [p.get_content_type() for p in message.walk()]
    assert "text/html" in parts and "application/pdf" in parts
    names = [p.get_filename() for p in message.iter_attachments()]
    assert names == [".._.._etc_passwd .pdf"]


def test_naive_date_refused() -> None:
    with pytest.raises(FieldErrors):
        message_compose(outgoing(date=datetime(2026, 3, 2, 10, 30)))


OURS = frozenset({"desk@acme.test"})


@pytest.mark.parametrize(
    ("headers", "sender", "ctype", "why"),
    [
        ({"auto-submitted": "auto-replied"}, "a@b.test", "text/plain", "Auto-Submitted"),
        ({"precedence": "bulk"}, "a@b.test", "text/plain", "Precedence: bulk"),
        ({"precedence": "list"}, "a@b.test", "text/plain", "Precedence: list"),
        ({"precedence": "junk"}, "a@b.test", "text/plain", "Precedence: junk"),
        ({"list-id": "<news.b.test>"}, "a@b.test", "text/plain", "mailing-list"),
        ({"x-loop": "desk@acme.test"}, "a@b.test", "text/plain", "X-Loop"),
        ({}, "desk@acme.test", "text/plain", "our own address"),
        ({}, "MAILER-DAEMON@b.test", "text/plain", "mailer-daemon"),
        ({}, "a@b.test", "multipart/report", "report"),
    ],
)
def test_automatic_mail_is_recognised(headers, sender, ctype, why) -> None:  # type: ignore[no-untyped-def]
    found = automatic_classify(
        headers, sender=sender, content_type=ctype, our_addresses=OURS, loop_marker="desk@acme.test"
    )
    assert found is not None and why in found.reason


def test_a_person_may_get_an_answer() -> None:
    for headers in ({}, {"auto-submitted": "no"}, {"precedence": "first-class"}):
        assert (
            automatic_classify(
                headers,
                sender="dana@example.org",
                content_type="text/plain",
                our_addresses=OURS,
                loop_marker="desk@acme.test",
            )
            is None
        )


def _match(**kw: object):  # type: ignore[no-untyped-def]
    cases = {"AC-2026-000001": (1, "dana@example.org")}
    known = {"<m1@mail.example.org>": 1}
    values: dict[str, object] = {
        "in_reply_to": "",
        "references": "",
        "subject": "",
        "sender": "dana@example.org",
        "domain": "acme.test",
        "prefix": "AC",
        "case_of_message": lambda ids: next((known[i] for i in ids if i in known), None),
        "case_of_reference": cases.get,
    }
    values.update(kw)
    return thread_match(**values)  # type: ignore[arg-type]


def test_threading_headers_first_subject_only_from_the_customer() -> None:
    assert _match(in_reply_to="<m1@mail.example.org>").case_key == 1
    assert _match(references="<x@y> <m1@mail.example.org>").case_key == 1
    assert _match(in_reply_to="<AC-2026-000001.ab@acme.test>").case_key == 1
    assert _match(subject="Re: AC-2026-000001 refund").how == "subject"
    stranger = _match(subject="Re: AC-2026-000001", sender="mallory@evil.test")
    assert stranger.case_key is None and "not its customer" in stranger.detail
    assert _match(subject="hello").case_key is None


def test_message_ids_and_subject_references() -> None:
    assert message_ids_in("<a@b> <c@d>\r\n <a@b>") == ["<a@b>", "<c@d>"]
    assert subject_references("Re: [ac-2026-000123] and AC-2026-000124", "AC") == [
        "AC-2026-000123",
        "AC-2026-000124",
    ]


def test_trimming_keeps_the_new_words() -> None:
    text = (
        "Thanks, I accept.\n\nDana\n-- \nDana Whitfield\n07700 900000\n\n"
        "On Mon, 2 Mar 2026 at 10:30, Acme <desk@acme.test> wrote:\n> Our offer\n"
    )
    assert text_trim(text) == "Thanks, I accept.\n\nDana"
    assert text_trim("> all quoted") == "> all quoted"
    assert text_trim("a\n> quoted\nb") == "a\nb"


def test_sanitised_html_keeps_no_script_and_loads_no_image() -> None:
    html = (
        '<div onclick="steal()">Hi<script>alert(1)</script>'
        '<img src="https://track.example/p.gif?u=1" width=1 height=1>'
        '<a href="javascript:alert(1)">x</a><a href="https://ok.example">ok</a>'
        '<iframe src="https://evil.example"></iframe><style>p{}</style></div>'
    )
    clean = html_sanitise(html)
    for bad in ("script", "img", "onclick", "javascript:", "iframe", "style", "track.example"):
        assert bad not in clean
    assert 'href="https://ok.example"' in clean and "Hi" in clean


def test_filling_is_literal() -> None:
    filled = template_fill(
        "Dear {{ customer.name }}, about {{case.reference}}.",
        {"customer.name": "{{ 7*7 }} <script>", "case.reference": "AC-1"},
    )
    assert filled == "Dear {{ 7*7 }} <script>, about AC-1."
    with pytest.raises(FieldErrors) as refused:
        template_check("{{ case.secret }}", field_name="body")
    assert "case.secret" in refused.value.errors["body"]
