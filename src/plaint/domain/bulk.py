"""Bulk actions over many cases: for each case, whether the action is legal and, if not,
why. Pure: the caller reads each case's facts and passes them in.

The desk's bulk actions (assign, change priority, transition, add a note, export) apply
the action to every case `bulk_plan` finds legal and report every other case with the
reason it was refused; the services still decide for each case when they run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from plaint.domain.errors import FieldErrors
from plaint.domain.lifecycle import TRANSITIONS, CaseStatus
from plaint.domain.vocabulary import Priority


class BulkAction(StrEnum):
    ASSIGN = "assign"
    PRIORITY = "priority"
    TRANSITION = "transition"
    NOTE = "note"
    EXPORT = "export"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What a bulk check needs to know about one case."""

    reference: str
    status: str
    priority: str
    assignee_id: int | None


@dataclass(frozen=True, slots=True)
class BulkRequest:
    """One bulk action and its parameters (those the action does not use are ignored)."""

    action: BulkAction
    assignee_id: int | None = None  # ASSIGN: None unassigns
    priority: str = ""  # PRIORITY
    to: str = ""  # TRANSITION
    text: str = ""  # NOTE


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """The references the action may be applied to, and those refused with the reason."""

    legal: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]


def bulk_request_check(request: BulkRequest) -> None:
    """Refuse parameters that would make the action wrong for every case, naming the field."""
    if request.action is BulkAction.PRIORITY:
        try:
            Priority(request.priority)
        except ValueError:
            options = ", ".join(p.value for p in Priority)
            raise FieldErrors(
                {"priority": f"{request.priority!r} is not one of: {options}"}
            ) from None
    elif request.action is BulkAction.TRANSITION:
        try:
            target = CaseStatus(request.to)
        except ValueError:
            options = ", ".join(s.value for s in CaseStatus)
            raise FieldErrors({"to": f"{request.to!r} is not one of: {options}"}) from None
        if target is CaseStatus.CLOSED:
            raise FieldErrors({"to": "closing records an outcome and root cause: close each case"})
    elif request.action is BulkAction.NOTE and not request.text.strip():
        raise FieldErrors({"text": "is required"})


def bulk_refusal(request: BulkRequest, case: CaseFacts) -> str | None:
    """Why `request` may not be applied to `case`, or None if it may."""
    if request.action is BulkAction.ASSIGN and case.assignee_id == request.assignee_id:
        return "already assigned to that person" if case.assignee_id else "already unassigned"
    if request.action is BulkAction.PRIORITY and case.priority == request.priority:
        return f"already has priority {request.priority}"
    if request.action is BulkAction.TRANSITION:
        try:
            current = CaseStatus(case.status)
        except ValueError:
            return f"has an unknown status {case.status!r}"
        allowed = TRANSITIONS[current]
        if CaseStatus(request.to) not in allowed:
            options = ", ".join(sorted(s.value for s in allowed))
            return f"cannot move from {current.value} to {request.to} (it may move to: {options})"
    return None


def bulk_plan(request: BulkRequest, cases: Iterable[CaseFacts]) -> BulkPlan:
    """Split `cases` into those the action may be applied to and those refused, in order."""
    bulk_request_check(request)
    legal: list[str] = []
    refused: list[tuple[str, str]] = []
    for case in cases:
        reason = bulk_refusal(request, case)
        if reason is None:
            legal.append(case.reference)
        else:
            refused.append((case.reference, reason))
    return BulkPlan(tuple(legal), tuple(refused))


def runs_in_background(count: int, *, over: int) -> bool:
    """A bulk action over more than `over` cases runs as a background job."""
    return count > over


def next_chunk(total: int, *, done: int, size: int) -> range:
    """The positions of the next chunk of a resumable job that has done `done` of `total`."""
    if size < 1:
        raise ValueError("a chunk holds at least one case")
    return range(min(done, total), min(done + size, total))
