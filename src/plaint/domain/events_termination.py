"""Payloads of the termination workflow's events (see plaint.domain.termination). Each
step of a termination is appended to every case the termination rests on."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from plaint.domain.events import EventKind, Payload


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationProposed(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_PROPOSED
    termination_id: int
    reason: str
    facts: str
    cases: list[str]
    evidence: list[int]
    immediate_justification: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationAlternativeRecorded(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_ALTERNATIVE_RECORDED
    termination_id: int
    alternative: str
    outcome: str
    note: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationChecked(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_CHECKED
    termination_id: int
    contract_clause: str
    product: str
    vulnerable: bool
    vulnerability_steps: str
    open_cases: list[str]
    legal_risk_flags: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationLegalSignedOff(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_LEGAL_SIGNED_OFF
    termination_id: int
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationDecided(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_DECIDED
    termination_id: int
    approved: bool
    reasons: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationNoticeIssued(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_NOTICE_ISSUED
    termination_id: int
    notice_on: str
    effective_on: str
    rules: list[str]
    alternatives_offered: list[str]
    letter_case: str
    letter_seq: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationReversed(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_REVERSED
    termination_id: int
    reason: str
    letter_case: str = ""
    letter_seq: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationAppealed(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_APPEALED
    termination_id: int
    grounds: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationAppealReviewed(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_APPEAL_REVIEWED
    termination_id: int
    upheld: bool  # True: the appeal succeeds and the termination is withdrawn
    note: str
    effective_on: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationTookEffect(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_TOOK_EFFECT
    termination_id: int
    effective_on: str
    tasks: list[str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TerminationTaskDone(Payload):
    kind: ClassVar[EventKind] = EventKind.TERMINATION_TASK_DONE
    termination_id: int
    task: str
    outcome: str


# reputation
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReviewLinked(Payload):
    """A public review was linked to the case: it names the case's reference, or its
    author matched the customer (where the organisation allows matching)."""

    kind: ClassVar[EventKind] = EventKind.REVIEW_LINKED
    review_id: int
    source: str
    rating: int
    posted_at: str
    why: str


TERMINATION_PAYLOADS: tuple[type[Payload], ...] = (
    TerminationProposed,
    TerminationAlternativeRecorded,
    TerminationChecked,
    TerminationLegalSignedOff,
    TerminationDecided,
    TerminationNoticeIssued,
    TerminationReversed,
    TerminationAppealed,
    TerminationAppealReviewed,
    TerminationTookEffect,
    TerminationTaskDone,
    ReviewLinked,
)
