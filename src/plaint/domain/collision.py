"""Collision: has a case changed since the form in front of someone was rendered?

A case's version is its ledger length (the sequence number of its last event). Every
case-page form carries the version it was rendered at; a form sent at an older version
is stale and refused, with a message that names what changed and who changed it. Pure:
callers pass the newer events and `now`.

Not every event makes a form stale. The deadline watch appends its own bookkeeping
(`QUIET_KINDS`: a deadline set, met, reminded or breached) whenever it recounts a case;
those events follow from facts already on the page and change nothing a form decides, so
they are *quiet*: they neither refuse a form nor raise the "someone changed this case"
banner. What the watch does that a person would care about (escalating the case, raising
its priority) is recorded as ordinary events and does make forms stale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from plaint.domain.errors import DomainError, FieldErrors

#: What each kind of event did, as words after the actor's name.
_DID: dict[str, str] = {
    "note_added": "added a note",
    "contact_logged": "logged a contact",
    "evidence_attached": "attached evidence",
    "case_assigned": "reassigned the case",
    "status_changed": "changed the status",
    "resolution_offered": "recorded an offer",
    "resolution_answered": "recorded the customer's answer",
    "case_closed": "closed the case",
    "priority_changed": "changed the priority",
    "milestone_recorded": "recorded a milestone",
    "letter_generated": "drafted a letter",
    "letter_sent": "marked a letter sent",
    "letter_withdrawn": "withdrew a letter",
    "triage_confirmed": "confirmed the triage",
    "legal_review_cleared": "cleared the legal review",
    "case_corrected": "corrected a detail of the case",
    "customer_corrected": "corrected the customer's details",
    "case_exported": "exported the evidence pack",
    "legal_hold_placed": "placed a legal hold",
    "legal_hold_lifted": "lifted the legal hold",
    "subject_access_requested": "logged a subject access request",
    "message_queued": "sent an e-mail",
    "message_received": "replied by e-mail",
    "dispute_logged": "logged a cease-and-desist",
    "dispute_authority_recorded": "recorded the authority to act",
    "dispute_conduct_identified": "recorded the conduct complained of",
    "dispute_investigated": "recorded an investigation",
    "dispute_decided": "decided a dispute",
    "contact_restriction_added": "added a contact restriction",
    "contact_restriction_lifted": "lifted a contact restriction",
}

#: Events the deadline watch appends as it recounts a case: they change nothing a form on
#: the case page decides, so they make no form stale (see the module's docstring).
QUIET_KINDS: frozenset[str] = frozenset(
    {"deadline_set", "deadline_met", "deadline_reminder", "deadline_breached"}
)


class StaleForm(DomainError):
    """A form was rendered at an older version of the case than the current one."""


@dataclass(frozen=True, slots=True)
class Change:
    """One event recorded on the case since the form was rendered."""

    seq: int
    kind: str
    actor_label: str
    recorded_at: datetime
    by_system: bool = False

    @property
    def quiet(self) -> bool:
        """Bookkeeping by Plaint itself that changes nothing a form decides."""
        return self.by_system and self.kind in QUIET_KINDS


def changes_seen(changes: Sequence[Change]) -> list[Change]:
    """The changes a person would want to know about, newest first (quiet ones left out)."""
    return sorted((c for c in changes if not c.quiet), key=lambda c: c.seq, reverse=True)


def version_parse(raw: str | None) -> int | None:
    """The version a form carries (None if it carries none); a malformed one is refused."""
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise FieldErrors({"version": f"{raw!r} is not a case version"})
    return int(raw)


def is_stale(*, rendered: int, current: int) -> bool:
    return rendered != current


def ago(then: datetime, now: datetime) -> str:
    """'10 seconds ago', '3 minutes ago', 'just now'."""
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 2:
        return "just now"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"  # pragma: no cover


def change_sentence(change: Change, *, now: datetime) -> str:
    """'Alice Agent added a note 10 seconds ago'."""
    did = _DID.get(change.kind, f"recorded {change.kind.replace('_', ' ')}")
    return f"{change.actor_label} {did} {ago(change.recorded_at, now)}"


def changes_said(changes: Sequence[Change], *, now: datetime, most: int = 3) -> str:
    """The newest `most` changes as one sentence: 'Sam Lee added a note 10 seconds ago;
    Ann Bo changed the status 2 minutes ago and 2 more change(s)'. Quiet ones are left
    out; "" when none is left."""
    newest = changes_seen(changes)
    said = "; ".join(change_sentence(c, now=now) for c in newest[:most])
    more = f" and {len(newest) - most} more change(s)" if len(newest) > most else ""
    return f"{said}{more}"


def collision_check(
    *, reference: str, rendered: int, current: int, changes: Sequence[Change], now: datetime
) -> None:
    """Raise `StaleForm` if the form was rendered before the case's latest change. The
    changes are the events after `rendered`; if all of them are quiet, the form still
    stands for what its sender saw, and passes."""
    if not is_stale(rendered=rendered, current=current):
        return
    if rendered > current:
        raise StaleForm(f"This form names version {rendered} of {reference}, which has none.")
    if changes and not changes_seen(changes):
        return
    said = changes_said(changes, now=now)
    raise StaleForm(
        f"{reference} changed while you had it open: {said or 'it changed'}. "
        "Nothing was saved: reload to see the case as it is now, then try again."
    )
