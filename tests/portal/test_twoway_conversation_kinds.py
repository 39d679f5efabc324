"""The conversation's extension point: a new customer-visible event kind joins the
conversation by registering a renderer (plaint.domain.conversation), with no change to the
portal. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from plaint.domain import conversation
from plaint.domain import events as ev

AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def _facts(
    seq: int, payload: ev.Payload, *, kind: str = "", by: str = "customer", at: datetime = AT
) -> conversation.EventFacts:
    return conversation.EventFacts(
        seq=seq,
        kind=kind or payload.kind.value,
        occurred_at=at,
        recorded_at=at,
        actor_kind=by,
        payload=payload,
    )


def _evidence(pk: int, name: str) -> ev.EvidenceAttached:
    return ev.EvidenceAttached(
        evidence_id=pk, sha256="0" * 64, filename=name, content_type="application/pdf", size=10
    )


def test_a_registered_kind_becomes_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conversation, "_RENDERERS", dict(conversation._RENDERERS))

    def email(event: conversation.EventFacts, zone: tzinfo) -> conversation.Message | None:
        assert isinstance(event.payload, ev.NoteAdded)
        return conversation.Message(
            event.seq, event.occurred_at, False, "E-mail", f"mail: {event.payload.text}"
        )

    conversation.renderer_register("email_sent", email)
    assert "email_sent" in conversation.conversation_kinds()
    messages = conversation.conversation_build(
        [_facts(1, ev.NoteAdded(text="hello"), kind="email_sent", by="staff")], zone=LONDON
    )
    assert [(m.label, m.body, m.from_customer) for m in messages] == [
        ("E-mail", "mail: hello", False)
    ]


def test_unknown_kinds_and_none_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conversation, "_RENDERERS", dict(conversation._RENDERERS))
    conversation.renderer_register("quiet", lambda event, zone: None)
    events = [
        _facts(1, ev.NoteAdded(text="a"), kind="quiet"),
        _facts(2, ev.NoteAdded(text="b"), kind="never_registered"),
    ]
    assert conversation.conversation_build(events, zone=LONDON) == []


def test_files_join_the_customer_message_of_their_transaction() -> None:
    later = AT + timedelta(hours=1)
    events = [
        _facts(1, ev.NoteAdded(text="see the bill")),
        _facts(2, _evidence(7, "bill.pdf")),
        _facts(3, _evidence(8, "photo.pdf")),
        _facts(4, _evidence(9, "alone.pdf"), at=later),  # uploaded on its own later
        _facts(5, ev.NoteAdded(text="from us"), by="staff", at=later),
        _facts(6, _evidence(10, "staff.pdf"), by="staff", at=later),
    ]
    first, second = conversation.conversation_build(events, zone=LONDON)
    assert [a.filename for a in first.attachments] == ["bill.pdf", "photo.pdf"]
    assert second.attachments == ()


def test_messages_are_ordered_by_when_they_happened() -> None:
    events = [
        _facts(1, ev.NoteAdded(text="written second"), at=AT + timedelta(minutes=5)),
        _facts(2, ev.NoteAdded(text="a call logged late"), at=AT),
    ]
    bodies = [m.body for m in conversation.conversation_build(events, zone=LONDON)]
    assert bodies == ["a call logged late", "written second"]
