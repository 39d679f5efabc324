"""The previous-contacts summary of an escalation letter, built from the logged contacts:
when, how, with whom, the ticket, how long the customer waited and how long a reply took.

Only the customer's own contacts (inbound) are counted as "my contacts". A live contact
(a call, a chat, a visit) that a named representative took was answered at the time; any
other contact of the customer's is answered by the business's next contact after it, and
is unanswered if there is none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from plaint.domain.letters.fields import CONTACT_KEYS, parse_datetime
from plaint.domain.vocabulary import Channel, Direction

#: Channels on which a representative answers at the time of the contact.
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.IN_PERSON})

_DIRECTION_ALIASES = {
    "inbound": "inbound",
    "outbound": "outbound",
    "to_business": "inbound",
    "from_business": "outbound",
    "me": "inbound",
    "them": "outbound",
}


@dataclass(frozen=True)
class ContactLine:
    at: datetime
    channel: str
    direction: str  # inbound: from the customer to the business
    representative: str = ""
    ticket_number: str = ""
    wait_minutes: int | None = None
    summary: str = ""
    reply_after: timedelta | None = None  # for inbound contacts answered later
    unanswered: bool = False

    @property
    def answered_live(self) -> bool:
        """A customer's call, chat or visit that a named representative took."""
        return (
            self.direction == Direction.INBOUND
            and self.channel in LIVE_CHANNELS
            and bool(self.representative)
        )

    @property
    def channel_label(self) -> str:
        return self.channel.replace("_", " ")

    @property
    def reply_words(self) -> str:
        if self.direction != Direction.INBOUND:
            return ""
        if self.answered_live:
            return "at the time"
        if self.reply_after is None:
            return "no reply"
        return duration_words(self.reply_after)


@dataclass(frozen=True)
class ContactSummary:
    """The customer's own contacts: how many, since when, time on hold, how many are
    still unanswered, and the longest wait for a later reply."""

    count: int
    first: datetime | None
    total_wait_minutes: int
    unanswered: int
    longest_reply: timedelta | None

    @property
    def longest_reply_words(self) -> str:
        return duration_words(self.longest_reply) if self.longest_reply is not None else ""


def duration_words(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    if hours < 1:
        minutes = max(1, int(span.total_seconds() // 60))
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    if hours < 72:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    days = span.days
    return f"{days} days"


def contacts_normalise(
    raw: Sequence[Mapping[str, Any]], zone: tzinfo, errors: dict[str, str]
) -> list[ContactLine]:
    """Typed contacts from YAML or the desk. Problems go into `errors` as
    ``contacts[2].at``-style keys."""
    out: list[tuple[datetime, int, ContactLine]] = []
    channels = {c.value for c in Channel}
    for i, item in enumerate(raw):
        where = f"contacts[{i + 1}]"
        if not isinstance(item, Mapping):
            errors[where] = "each contact is a mapping with at, channel, direction..."
            continue
        unknown = set(item) - CONTACT_KEYS
        if unknown:
            errors[where] = (
                f"unknown key(s) {', '.join(sorted(map(str, unknown)))}; a contact has "
                f"{', '.join(sorted(CONTACT_KEYS))}"
            )
            continue
        try:
            at = parse_datetime(item.get("at"), zone) if item.get("at") else None
        except ValueError as exc:
            errors[f"{where}.at"] = str(exc)
            continue
        if at is None:
            errors[f"{where}.at"] = "is required (when the contact happened)"
            continue
        channel = str(item.get("channel") or "").strip().lower().replace(" ", "_")
        if channel not in channels:
            errors[f"{where}.channel"] = f"{channel!r} is not one of: {', '.join(sorted(channels))}"
            continue
        direction_raw = str(item.get("direction") or "inbound").strip().lower()
        direction = _DIRECTION_ALIASES.get(direction_raw)
        if direction is None:
            errors[f"{where}.direction"] = (
                "is inbound (you contacted them) or outbound (they contacted you)"
            )
            continue
        wait = item.get("wait_minutes")
        if wait not in (None, ""):
            if isinstance(wait, bool) or not str(wait).strip().isdigit():
                errors[f"{where}.wait_minutes"] = "is a whole number of minutes"
                continue
            wait = int(str(wait).strip())
        else:
            wait = None
        line = ContactLine(
            at=at,
            channel=channel,
            direction=direction,
            representative=str(item.get("representative") or "").strip(),
            ticket_number=str(item.get("ticket_number") or "").strip(),
            wait_minutes=wait,
            summary=str(item.get("summary") or "").strip(),
        )
        out.append((at, i, line))
    return _with_replies([line for _, _, line in sorted(out, key=lambda t: (t[0], t[1]))])


def _with_replies(lines: list[ContactLine]) -> list[ContactLine]:
    """Each inbound contact's reply time: until the business's next contact after it
    (none for a live contact answered at the time)."""
    result = []
    for n, line in enumerate(lines):
        if line.direction == Direction.INBOUND and not line.answered_live:
            reply = next(
                (later for later in lines[n + 1 :] if later.direction == Direction.OUTBOUND), None
            )
            if reply is not None:
                line = ContactLine(**{**line.__dict__, "reply_after": reply.at - line.at})
            else:
                line = ContactLine(**{**line.__dict__, "unanswered": True})
        result.append(line)
    return result


def contacts_summarise(lines: Sequence[ContactLine]) -> ContactSummary:
    mine = [line for line in lines if line.direction == Direction.INBOUND]
    replies = [line.reply_after for line in mine if line.reply_after is not None]
    return ContactSummary(
        count=len(mine),
        first=mine[0].at if mine else None,
        total_wait_minutes=sum(line.wait_minutes or 0 for line in mine),
        unanswered=sum(1 for line in mine if line.unanswered),
        longest_reply=max(replies) if replies else None,
    )


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
