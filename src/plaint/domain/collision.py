"""Collision: has a case changed since the form in front of someone was rendered?

A case's version is its ledger length (the sequence number of its last event). Every
case-page form carries the version it was rendered at; a form sent at an older version
is stale and refused, with a message that names what changed and who changed it. Pure:
callers pass the newer events and `now`.
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
}


class StaleForm(DomainError):
    """A form was rendered at an older version of the case than the current one."""


@dataclass(frozen=True, slots=True)
class Change:
    """One event recorded on the case since the form was rendered."""

    seq: int
    kind: str
    actor_label: str
    recorded_at: datetime


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


def collision_check(
    *, reference: str, rendered: int, current: int, changes: Sequence[Change], now: datetime
) -> None:
    """Raise `StaleForm` if the form was rendered before the case's latest change."""
    if not is_stale(rendered=rendered, current=current):
        return
    if rendered > current:
        raise StaleForm(f"This form names version {rendered} of {reference}, which has none.")
    newest = sorted(changes, key=lambda c: c.seq, reverse=True)
    said = "; ".join(change_sentence(c, now=now) for c in newest[:3])
    more = f" and {len(newest) - 3} more change(s)" if len(newest) > 3 else ""
    raise StaleForm(
        f"{reference} changed while you had it open: {said or 'it changed'}{more}. "
        "Nothing was saved: reload to see the case as it is now, then try again."
    )
