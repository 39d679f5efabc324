"""Payloads of the records part (corrections, exports): registered in `events.PAYLOAD_TYPES`."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from plaint.domain.events import EventKind, Payload


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseCorrected(Payload):
    """Case facts were corrected: each field's value before and after (as `fold.fact_text`
    spells it; None is empty) and why. The row takes the new values; nothing is rewritten."""

    kind: ClassVar[EventKind] = EventKind.CASE_CORRECTED
    old: dict[str, str | None]
    new: dict[str, str | None]
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerCorrected(Payload):
    """The customer's contact details were corrected, on the case the correction was made
    from; the customer row (shared by all their cases) takes the new values."""

    kind: ClassVar[EventKind] = EventKind.CUSTOMER_CORRECTED
    customer_id: int
    old: dict[str, str | None]
    new: dict[str, str | None]
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseExported(Payload):
    """An evidence pack of the case was exported: of which events (1..`ledger_length`),
    for whom (`audience`: staff or customer) and the SHA-256 of its manifest."""

    kind: ClassVar[EventKind] = EventKind.CASE_EXPORTED
    audience: str
    ledger_length: int
    manifest_sha256: str
    files: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class LegalHoldPlaced(Payload):
    """The case is on legal hold: nothing of it may be erased until the hold is lifted."""

    kind: ClassVar[EventKind] = EventKind.LEGAL_HOLD_PLACED
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class LegalHoldLifted(Payload):
    kind: ClassVar[EventKind] = EventKind.LEGAL_HOLD_LIFTED
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerHoldPlaced(Payload):
    """The customer is on legal hold: nothing of any of their cases may be erased until it
    is lifted. Recorded on every case the customer had when it was placed; a customer is
    on hold while the last customer-hold event on any of their cases is a placement."""

    kind: ClassVar[EventKind] = EventKind.CUSTOMER_HOLD_PLACED
    customer_id: int
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CustomerHoldLifted(Payload):
    kind: ClassVar[EventKind] = EventKind.CUSTOMER_HOLD_LIFTED
    customer_id: int
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseErased(Payload):
    """The case's personal data were erased by redaction: under which retention rule, the
    first day the rule allowed it, and the supervisor who confirmed. What was erased is
    counted (personal values, files, rows redacted); the facts reports count are kept."""

    kind: ClassVar[EventKind] = EventKind.CASE_ERASED
    rule: str
    retention_ended_on: str
    confirmed_by_id: int
    confirmed_by: str
    erased: dict[str, int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubjectAccessRequested(Payload):
    """The customer asked for everything held about them: when the request arrived, how,
    and the day the answer is due (one calendar month: unverified, see `due_note`)."""

    kind: ClassVar[EventKind] = EventKind.SUBJECT_ACCESS_REQUESTED
    request_id: int
    requested_on: str
    received_by: str
    due_on: str
    due_note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubjectAccessAnswered(Payload):
    """The subject access ZIP was produced for the request: how many cases it holds and the
    SHA-256 of the ZIP handed over."""

    kind: ClassVar[EventKind] = EventKind.SUBJECT_ACCESS_ANSWERED
    request_id: int
    cases: int
    zip_sha256: str
    due_on: str
    late: bool


RECORDS_PAYLOADS: tuple[type[Payload], ...] = (
    CaseCorrected,
    CustomerCorrected,
    CaseExported,
    LegalHoldPlaced,
    LegalHoldLifted,
    CustomerHoldPlaced,
    CustomerHoldLifted,
    CaseErased,
    SubjectAccessRequested,
    SubjectAccessAnswered,
)
