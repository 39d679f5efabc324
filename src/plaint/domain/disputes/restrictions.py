"""Contact restrictions a customer (or their solicitor) asked for, and what each forbids.

A restriction says how the business may no longer contact the customer: no calls, not at
work, in writing only, only through their solicitor, or (the customer's own choice) by
phone only. `forbidding` answers "which restrictions forbid this contact?" and
`contradictions` refuses a restriction that cannot hold together with one in force.
Only contacts the business starts (outbound) are restricted: the customer may always call.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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
