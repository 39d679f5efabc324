"""A case as a conversation between the customer and the business: the customer-visible
events that carry a message, in words, oldest first.

Each event kind that can be a message has a *renderer*: a function from the event's facts
to a `Message` (or None when that event says nothing to the customer). The built-in ones
cover notes, contacts and sent letters. A new customer-visible kind (an e-mail received or
sent, say) joins the conversation by registering its own:

    from plaint.domain import conversation

    def _email(event: conversation.EventFacts, zone: tzinfo) -> conversation.Message | None:
        p = event.payload  # the kind's payload dataclass
        return conversation.Message(
            seq=event.seq, at=event.occurred_at, from_customer=p.direction == "inbound",
            label="E-mail", body=p.text_trimmed,
        )

    conversation.renderer_register("email_received", _email)

Register from the module that defines the payload, or from an app's `AppConfig.ready()`.
Only events the customer may see are ever passed in (the caller filters on visibility);
a renderer decides how the message reads, never whether the customer may see it.

Evidence the customer attached in the same transaction as one of their messages (the
events straight after it, recorded at the same instant) becomes that message's
attachments; other evidence is not a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo

from plaint.domain import events as ev
from plaint.domain.timeline import contact_in_brief
from plaint.domain.vocabulary import ActorKind, DeliveryMethod, Direction


@dataclass(frozen=True)
class EventFacts:
    """What a renderer may read of one ledger event."""

    seq: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    actor_kind: str
    payload: ev.Payload

    @property
    def by_customer(self) -> bool:
        return self.actor_kind == ActorKind.CUSTOMER.value


@dataclass(frozen=True)
class Attachment:
    evidence_id: int
    filename: str
    size: int


@dataclass(frozen=True)
class Message:
    """One message of the conversation. `label` says what it was ("Message through the
    website", "Note", "Letter"); `letter_seq` names the kept letter a sent letter was."""

    seq: int
    at: datetime
    from_customer: bool
    label: str
    body: str
    letter_seq: int | None = None
    attachments: tuple[Attachment, ...] = field(default=())


Renderer = Callable[[EventFacts, tzinfo], Message | None]

_RENDERERS: dict[str, Renderer] = {}


def renderer_register(kind: str, renderer: Renderer) -> None:
    """Make events of `kind` (an `EventKind` value) part of the conversation. Registering
    a kind twice replaces its renderer."""
    _RENDERERS[str(kind)] = renderer


def conversation_kinds() -> frozenset[str]:
    """The event kinds that may be messages (the caller reads only these, and evidence)."""
    return frozenset(_RENDERERS) | {ev.EventKind.EVIDENCE_ATTACHED.value}


_CONTACT_LABELS = {
    "phone": "Phone call",
    "email": "E-mail",
    "web": "Message through the website",
    "chat": "Chat",
    "letter": "Letter",
    "in_person": "Visit",
    "social_media": "Social media message",
    "referral": "Referral",
    "fax": "Fax",
}


def _note(event: EventFacts, zone: tzinfo) -> Message | None:
    p = event.payload
    assert isinstance(p, ev.NoteAdded)
    return Message(event.seq, event.occurred_at, event.by_customer, "Note", p.text)


def _contact(event: EventFacts, zone: tzinfo) -> Message | None:
    p = event.payload
    assert isinstance(p, ev.ContactLogged)
    if p.summary and p.summary_visibility == "customer":
        body = p.summary
    else:  # staff's own note of the contact: the customer sees only that it happened
        body = contact_in_brief(p, on=f"{event.occurred_at.astimezone(zone):%d %b %Y}")
    label = _CONTACT_LABELS.get(p.channel, "Contact")
    return Message(
        event.seq, event.occurred_at, p.direction == Direction.INBOUND.value, label, body
    )


def _letter_sent(event: EventFacts, zone: tzinfo) -> Message | None:
    p = event.payload
    assert isinstance(p, ev.LetterSent)
    try:
        how = DeliveryMethod(p.method).words
    except ValueError:
        how = "by " + p.method.replace("_", " ")
    sent = datetime.fromisoformat(p.sent_at).astimezone(zone)
    body = f"{p.title}, sent {how} on {sent:%d %b %Y}."
    if p.tracking_number:
        body += f" Tracking number {p.tracking_number}."
    return Message(event.seq, event.occurred_at, False, "Letter", body, letter_seq=p.letter_seq)


def _email_received(event: EventFacts, zone: tzinfo) -> Message | None:
    p = event.payload
    assert isinstance(p, ev.MessageReceived)
    if p.automatic:  # an auto-reply or a bounce is on the record, not in the conversation
        return None
    body = p.text or p.subject or "(an e-mail with no text)"
    if p.refused_attachments:
        body += "\n\nNot kept: " + "; ".join(p.refused_attachments)
    return Message(event.seq, event.occurred_at, True, "E-mail", body)


def _email_queued(event: EventFacts, zone: tzinfo) -> Message | None:
    """Staff's e-mail to the customer. Plaint's own notifications only point to the case
    (they are not part of what was said), and a letter sent by e-mail is the letter."""
    p = event.payload
    assert isinstance(p, ev.MessageQueued)
    if p.automatic or p.purpose == "letter":
        return None
    body = p.text
    if p.attachments:
        body += "\n\nAttached: " + ", ".join(p.attachments)
    label = f"E-mail: {p.subject}"
    return Message(event.seq, event.occurred_at, False, label, body, letter_seq=p.letter_seq)


renderer_register(ev.EventKind.NOTE_ADDED.value, _note)
renderer_register(ev.EventKind.CONTACT_LOGGED.value, _contact)
renderer_register(ev.EventKind.LETTER_SENT.value, _letter_sent)


def conversation_build(events: Iterable[EventFacts], *, zone: tzinfo) -> list[Message]:
    """The messages among `events` (customer-visible, in ledger order), oldest first,
    each customer message carrying the files attached with it."""
    messages: list[Message] = []
    last: EventFacts | None = None  # the event before, if it was (or joined) a message
    for event in events:
        p = event.payload
        if isinstance(p, ev.EvidenceAttached):
            joins = (
                last is not None
                and last.by_customer
                and event.by_customer
                and event.seq == last.seq + 1
                and event.recorded_at == last.recorded_at
            )
            if joins:
                item = Attachment(p.evidence_id, p.filename, p.size)
                messages[-1] = replace(messages[-1], attachments=(*messages[-1].attachments, item))
            last = event if joins else None
            continue
        renderer = _RENDERERS.get(event.kind)
        message = renderer(event, zone) if renderer is not None else None
        if message is None:
            last = None
            continue
        messages.append(message)
        last = event
    messages.sort(key=lambda m: (m.at, m.seq))
    return messages


renderer_register(ev.EventKind.MESSAGE_RECEIVED.value, _email_received)
renderer_register(ev.EventKind.MESSAGE_QUEUED.value, _email_queued)
