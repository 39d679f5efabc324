"""Contact restrictions a customer (or their solicitor) asked for, and what each forbids.

A restriction says how the business may no longer contact the customer: no calls, not at
work, in writing only, only through their solicitor, or (the customer's own choice) by
phone only. `forbidding` answers "which restrictions forbid this contact?" and
`contradictions` refuses a restriction that cannot hold together with one in force.
Only contacts the business starts (outbound) are restricted: the customer may always call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from plaint.domain.errors import DomainError
from plaint.domain.vocabulary import Channel


class RestrictionKind(StrEnum):
    STOP_CALLING = "stop_calling"
    NOT_AT_WORK = "not_at_work"
    WRITING_ONLY = "writing_only"
    SOLICITOR_ONLY = "solicitor_only"
    PHONE_ONLY = "phone_only"

    @property
    def label(self) -> str:
        return RESTRICTION_LABELS[self]


RESTRICTION_LABELS: dict[RestrictionKind, str] = {
    RestrictionKind.STOP_CALLING: "Stop calling",
    RestrictionKind.NOT_AT_WORK: "No contact at work",
    RestrictionKind.WRITING_ONLY: "Contact in writing only",
    RestrictionKind.SOLICITOR_ONLY: "Contact only through their solicitor",
    RestrictionKind.PHONE_ONLY: "Contact by phone only",
}

#: The channels that are writing: a letter, an e-mail, a message through the website, a
#: chat, a fax. A social-media message is public, so it is not "in writing" here.
WRITTEN = frozenset({Channel.LETTER, Channel.EMAIL, Channel.WEB, Channel.CHAT, Channel.FAX})
#: The channels that reach a person at their workplace when the contact is made there.
AT_WORK = frozenset({Channel.PHONE, Channel.IN_PERSON})

#: Pairs that cannot both be in force: the second would forbid what the first allows only.
_CONTRADICT: dict[frozenset[RestrictionKind], str] = {
    frozenset({RestrictionKind.WRITING_ONLY, RestrictionKind.PHONE_ONLY}): (
        "contact in writing only and contact by phone only leave no channel"
    ),
    frozenset({RestrictionKind.STOP_CALLING, RestrictionKind.PHONE_ONLY}): (
        "stop calling and contact by phone only leave no channel"
    ),
}


@dataclass(frozen=True)
class ContactAttempt:
    """A contact the business is about to make. `at_work`: the customer is reached at
    their workplace; `to_representative`: it goes to the customer's solicitor, not to
    the customer."""

    channel: Channel
    at_work: bool = False
    to_representative: bool = False


def forbids(kind: RestrictionKind, attempt: ContactAttempt) -> bool:
    """Whether a restriction of `kind` forbids the attempt."""
    if kind is RestrictionKind.SOLICITOR_ONLY:
        return not attempt.to_representative
    if attempt.to_representative:
        return False  # the customer's channel rules are theirs, not their solicitor's
    if kind is RestrictionKind.STOP_CALLING:
        return attempt.channel is Channel.PHONE
    if kind is RestrictionKind.NOT_AT_WORK:
        return attempt.at_work and attempt.channel in AT_WORK
    if kind is RestrictionKind.WRITING_ONLY:
        return attempt.channel not in WRITTEN
    return attempt.channel is not Channel.PHONE  # PHONE_ONLY


def why(kind: RestrictionKind, attempt: ContactAttempt) -> str:
    """The sentence a warning shows for a forbidden attempt."""
    channel = attempt.channel.value.replace("_", " ")
    if kind is RestrictionKind.SOLICITOR_ONLY:
        return "the customer asked to be contacted only through their solicitor"
    if kind is RestrictionKind.STOP_CALLING:
        return "the customer asked not to be called"
    if kind is RestrictionKind.NOT_AT_WORK:
        return f"the customer asked not to be contacted at work (here by {channel})"
    if kind is RestrictionKind.WRITING_ONLY:
        return f"the customer asked to be contacted in writing only, and {channel} is not"
    return f"the customer asked to be contacted by phone only, and {channel} is not"


def contradictions(new: RestrictionKind, in_force: Iterable[RestrictionKind]) -> list[str]:
    """Why `new` cannot be added next to the restrictions in force (empty: it can)."""
    problems = []
    for kind in in_force:
        if kind is new:
            problems.append(f"{new.label.lower()} is already in force")
            continue
        clash = _CONTRADICT.get(frozenset({kind, new}))
        if clash is not None:
            problems.append(f"contradicts the restriction in force: {clash}")
    return problems


@dataclass(frozen=True)
class RecordedRestriction:
    """A restriction as recorded on a case: in force from `starts_at` (when it was
    recorded) until `lifted_at`, if it was lifted."""

    id: int
    kind: RestrictionKind
    starts_at: datetime
    lifted_at: datetime | None = None

    def in_force(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.lifted_at is None or self.lifted_at > now)


@dataclass(frozen=True)
class Forbidden:
    """A restriction in force that forbids an attempt, and the sentence a warning shows."""

    restriction: RecordedRestriction
    reason: str

    @property
    def sentence(self) -> str:
        """The restriction, when it was recorded, and why it forbids the contact."""
        r = self.restriction
        recorded = r.starts_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"{r.kind.label} (restriction #{r.id}, recorded {recorded}): {self.reason}"

    def record(self) -> dict[str, str | int]:
        """What an event keeps of a restriction a contact went ahead despite."""
        r = self.restriction
        return {"id": r.id, "kind": r.kind.value, "recorded_at": r.starts_at.isoformat()}


def forbidding(
    restrictions: Iterable[RecordedRestriction], attempt: ContactAttempt, now: datetime
) -> list[Forbidden]:
    """The restrictions in force at `now` that forbid `attempt` (empty: none does), in
    the order given."""
    return [
        Forbidden(r, why(r.kind, attempt))
        for r in restrictions
        if r.in_force(now) and forbids(r.kind, attempt)
    ]


class ContactRestricted(DomainError):
    """A contact restriction in force forbids this contact. `forbidden` lists each one;
    the message names each restriction and when it was recorded. The caller may go ahead
    only by confirming it explicitly (the override is kept in the contact's event)."""

    def __init__(self, reference: str, forbidden: Sequence[Forbidden], *, doing: str) -> None:
        self.forbidden = tuple(forbidden)
        self.reasons = "; ".join(f.sentence for f in self.forbidden)
        super().__init__(f"{reference}: {doing}, {self.reasons}")


def override_record(forbidden: Sequence[Forbidden], *, confirmed_by: str) -> dict[str, object]:
    """The override an event keeps when a contact goes ahead despite restrictions: who
    confirmed it and which restrictions (id, kind, when recorded) it went against."""
    return {
        "confirmed_by": confirmed_by,
        "restrictions": [f.record() for f in forbidden],
    }
