"""The event vocabulary of the case ledger.

Every change to a case is recorded as one event. Each kind of event has one frozen
dataclass here describing its payload; the ledger stores the payload as canonical JSON
(`payload_to_json`) so that it hashes the same on every database.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from plaint.domain.errors import DomainError


class EventKind(StrEnum):
    CASE_OPENED = "case_opened"
    CONTACT_LOGGED = "contact_logged"
    NOTE_ADDED = "note_added"
    EVIDENCE_ATTACHED = "evidence_attached"
    CASE_ASSIGNED = "case_assigned"
    STATUS_CHANGED = "status_changed"
    RESOLUTION_OFFERED = "resolution_offered"
    RESOLUTION_ANSWERED = "resolution_answered"
    CASE_CLOSED = "case_closed"
    PRIORITY_CHANGED = "priority_changed"
    MILESTONE_RECORDED = "milestone_recorded"
    DEADLINE_SET = "deadline_set"
    DEADLINE_MET = "deadline_met"
    DEADLINE_REMINDER = "deadline_reminder"
    DEADLINE_BREACHED = "deadline_breached"
    TRIAGE_SUGGESTED = "triage_suggested"
    TRIAGE_CONFIRMED = "triage_confirmed"
    LEGAL_REVIEW_REQUESTED = "legal_review_requested"
    LEGAL_REVIEW_CLEARED = "legal_review_cleared"
    LETTER_GENERATED = "letter_generated"
    LETTER_SENT = "letter_sent"
    LETTER_WITHDRAWN = "letter_withdrawn"
    # termination
    TERMINATION_PROPOSED = "termination_proposed"
    TERMINATION_ALTERNATIVE_RECORDED = "termination_alternative"
    TERMINATION_CHECKED = "termination_checked"
    TERMINATION_LEGAL_SIGNED_OFF = "termination_legal_signoff"
    TERMINATION_DECIDED = "termination_decided"
    TERMINATION_NOTICE_ISSUED = "termination_notice_issued"
    TERMINATION_REVERSED = "termination_reversed"
    TERMINATION_APPEALED = "termination_appealed"
    TERMINATION_APPEAL_REVIEWED = "termination_appeal_reviewed"
    TERMINATION_TOOK_EFFECT = "termination_took_effect"
    TERMINATION_TASK_DONE = "termination_task_done"
    # reputation
    REVIEW_LINKED = "review_linked"
    # disputes
    DISPUTE_LOGGED = "dispute_logged"
    DISPUTE_AUTHORITY_RECORDED = "dispute_authority_recorded"
    DISPUTE_CONDUCT_IDENTIFIED = "dispute_conduct_identified"
    DISPUTE_INVESTIGATED = "dispute_investigated"
    DISPUTE_DECIDED = "dispute_decided"
    CONTACT_RESTRICTION_ADDED = "contact_restriction_added"
    CONTACT_RESTRICTION_LIFTED = "contact_restriction_lifted"
    FOS_ELIGIBILITY_RECORDED = "fos_eligibility_recorded"
    CEASE_DESIST_SENT = "cease_desist_sent"
    CEASE_DESIST_OUTCOME = "cease_desist_outcome"
    # records
    CASE_CORRECTED = "case_corrected"
    CUSTOMER_CORRECTED = "customer_corrected"
    CASE_EXPORTED = "case_exported"
    LEGAL_HOLD_PLACED = "legal_hold_placed"
    LEGAL_HOLD_LIFTED = "legal_hold_lifted"
    CUSTOMER_HOLD_PLACED = "customer_hold_placed"
    CUSTOMER_HOLD_LIFTED = "customer_hold_lifted"
    CASE_ERASED = "case_erased"
    SUBJECT_ACCESS_REQUESTED = "subject_access_requested"
    SUBJECT_ACCESS_ANSWERED = "subject_access_answered"
    # consumer
    CONSUMER_CASE_STARTED = "consumer_case_started"
    CONSUMER_ANSWERS_SAVED = "consumer_answers_saved"
    CONSUMER_REMINDER_SENT = "consumer_reminder_sent"
    # mail
    MESSAGE_QUEUED = "message_queued"
    MESSAGE_DELIVERY = "message_delivery"
    MESSAGE_RECEIVED = "message_received"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Payload:
    """Base of all payloads. `kind` ties a payload class to its `EventKind`."""

    kind: ClassVar[EventKind]

    def to_json(self) -> str:
        return payload_to_json(self)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseOpened(Payload):
    """A snapshot of the case as it was opened."""

    kind: ClassVar[EventKind] = EventKind.CASE_OPENED
    reference: str
    status: str
    channel: str
    received_at: str
    customer_name: str
    product: str = ""
    issue: str = ""
    respondent: str = ""
    order_number: str = ""
    account_number: str = ""
    amount_in_dispute: str | None = None
    currency: str = ""
    occurred_on: str | None = None
    description: str = ""
    desired_resolution: str = ""
    regime: str = ""
    category: str = ""
    priority: str = "normal"
    source: str = ""
    external_id: str = ""
    source_details: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactLogged(Payload):
    """One contact between the customer and the business (a call, an email, a letter...).

    `summary_visibility` says who may read the summary (a `Visibility` value): the
    customer always sees that the contact happened; an internal summary is staff's note
    of it. Events recorded before it existed have None, which keeps their meaning: the
    summary is as visible as the event."""

    kind: ClassVar[EventKind] = EventKind.CONTACT_LOGGED
    contact_id: int
    contact_at: str
    channel: str
    direction: str
    representative: str = ""
    ticket_number: str = ""
    wait_minutes: int | None = None
    summary: str = ""
    summary_visibility: str | None = None
    #: Set when staff logged an outbound contact a contact restriction forbade, having
    #: confirmed it: who confirmed and the restrictions (id, kind, recorded_at).
    restriction_override: dict[str, Any] | None = None

    @property
    def summary_internal(self) -> bool:
        return self.summary_visibility == "internal"


@dataclasses.dataclass(frozen=True, kw_only=True)
class NoteAdded(Payload):
    kind: ClassVar[EventKind] = EventKind.NOTE_ADDED
    text: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class EvidenceAttached(Payload):
    kind: ClassVar[EventKind] = EventKind.EVIDENCE_ATTACHED
    evidence_id: int
    sha256: str
    filename: str
    content_type: str
    size: int
    description: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseAssigned(Payload):
    kind: ClassVar[EventKind] = EventKind.CASE_ASSIGNED
    assignee_id: int | None
    assignee_name: str
    previous_assignee_id: int | None
    previous_assignee_name: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class StatusChanged(Payload):
    kind: ClassVar[EventKind] = EventKind.STATUS_CHANGED
    from_status: str
    to_status: str
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolutionOffered(Payload):
    """An offer of redress; recording it moves the case to `resolution_proposed`."""

    kind: ClassVar[EventKind] = EventKind.RESOLUTION_OFFERED
    offer_id: int
    redress: str
    amount: str | None
    currency: str
    description: str
    from_status: str
    to_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolutionAnswered(Payload):
    """The customer's answer to an offer: acceptance resolves the case, rejection reopens
    the investigation."""

    kind: ClassVar[EventKind] = EventKind.RESOLUTION_ANSWERED
    offer_id: int
    accepted: bool
    comment: str
    from_status: str
    to_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseClosed(Payload):
    """The case closed with its coded outcome and root cause. `root_cause` is the free-text
    detail; `root_cause_code` (a code of the organisation's taxonomy, see
    `plaint.domain.rootcauses`) is empty in events written before root causes were coded,
    which therefore still load and hash as they were stored."""

    kind: ClassVar[EventKind] = EventKind.CASE_CLOSED
    outcome: str
    root_cause: str
    summary: str
    from_status: str
    root_cause_code: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class PriorityChanged(Payload):
    kind: ClassVar[EventKind] = EventKind.PRIORITY_CHANGED
    from_priority: str
    to_priority: str
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class MilestoneRecorded(Payload):
    """A dated fact that starts, pauses or meets deadlines (see domain.deadlines.milestones)."""

    kind: ClassVar[EventKind] = EventKind.MILESTONE_RECORDED
    milestone: str
    at: str
    note: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeadlineSet(Payload):
    """A deadline was derived, or its date changed (`previous_due_at` says from what)."""

    kind: ClassVar[EventKind] = EventKind.DEADLINE_SET
    key: str
    title: str
    party: str
    due_at: str | None
    previous_due_at: str | None
    reason: str
    rule_version: str
    verification: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeadlineMet(Payload):
    kind: ClassVar[EventKind] = EventKind.DEADLINE_MET
    key: str
    title: str
    met_at: str
    due_at: str | None
    on_time: bool


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeadlineReminder(Payload):
    """A reminder before a deadline. `historic`: it fell due before the case was imported,
    so it was recorded once and nobody was told."""

    kind: ClassVar[EventKind] = EventKind.DEADLINE_REMINDER
    key: str
    title: str
    due_at: str
    notified: list[str]
    historic: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeadlineBreached(Payload):
    """A missed deadline. `historic`: it had already passed when the case was imported,
    so it was recorded once, without escalating the case or telling anyone."""

    kind: ClassVar[EventKind] = EventKind.DEADLINE_BREACHED
    key: str
    title: str
    due_at: str
    escalated: bool
    notified: list[str]
    historic: bool = False


@dataclasses.dataclass(frozen=True, kw_only=True)
class TriageSuggested(Payload):
    """What triage suggested: labels with their confidence, legal-risk flags with the words
    that raised them, the urgency score with its parts, sentiment and similar cases."""

    kind: ClassVar[EventKind] = EventKind.TRIAGE_SUGGESTED
    model: str
    taxonomy: str
    labels: dict[str, str]
    confidences: dict[str, str]
    needs_human_triage: bool
    flags: dict[str, list[str]]
    urgency: str
    urgency_parts: dict[str, str]
    priority: str
    sentiment: str
    similar: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class TriageConfirmed(Payload):
    """A handler confirmed the triage labels; `corrected` maps each label set whose
    suggestion was replaced to the suggestion it replaced."""

    kind: ClassVar[EventKind] = EventKind.TRIAGE_CONFIRMED
    labels: dict[str, str]
    corrected: dict[str, str]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LegalReviewRequested(Payload):
    """The case went to the legal review queue because of these flags and words."""

    kind: ClassVar[EventKind] = EventKind.LEGAL_REVIEW_REQUESTED
    flags: dict[str, list[str]]


@dataclasses.dataclass(frozen=True, kw_only=True)
class LegalReviewCleared(Payload):
    kind: ClassVar[EventKind] = EventKind.LEGAL_REVIEW_CLEARED
    flags: list[str]
    note: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class LetterGenerated(Payload):
    """A letter was generated from the case ("keep a copy"): which template and version,
    the field values used (enough to regenerate it), and the SHA-256 of each output file."""

    kind: ClassVar[EventKind] = EventKind.LETTER_GENERATED
    letter: str
    title: str
    template_version: str
    template_sha256: str
    subject: str
    files: dict[str, str]  # format -> SHA-256 of the stored file
    fields: dict[str, Any]
    warnings: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LetterSent(Payload):
    """A kept letter went out: which one (`letter_seq`, the seq of its `letter_generated`
    event, and the file sent), how (a `DeliveryMethod` value), with what tracking number
    and when."""

    kind: ClassVar[EventKind] = EventKind.LETTER_SENT
    letter_seq: int
    letter: str
    title: str
    method: str
    tracking_number: str = ""
    sent_at: str
    file_sha256: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class LetterWithdrawn(Payload):
    """A kept letter that was never sent was withdrawn (a draft made by mistake, or
    superseded): which one (`letter_seq`, the seq of its `letter_generated` event) and
    why. It stays in the record, and can no longer be marked as sent."""

    kind: ClassVar[EventKind] = EventKind.LETTER_WITHDRAWN
    letter_seq: int
    letter: str
    title: str
    reason: str


# disputes


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisputeLogged(Payload):
    """A cease-and-desist or solicitor's letter received: who sent it, for whom, what it
    demands, its date and the deadline it sets (`deadline_source`: "letter", or "policy"
    when the letter set none and the organisation's default applied)."""

    kind: ClassVar[EventKind] = EventKind.DISPUTE_LOGGED
    dispute_id: int
    sender: str
    on_behalf_of: str
    demands: str
    their_reference: str
    letter_date: str
    deadline: str
    deadline_source: str
    evidence_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisputeAuthorityRecorded(Payload):
    """The sender's authority to act for the customer: `status` "requested" (with the
    kept letter asking for it, `letter_seq`, if there is one) or "on_file"."""

    kind: ClassVar[EventKind] = EventKind.DISPUTE_AUTHORITY_RECORDED
    dispute_id: int
    status: str
    note: str = ""
    letter_seq: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisputeConductIdentified(Payload):
    kind: ClassVar[EventKind] = EventKind.DISPUTE_CONDUCT_IDENTIFIED
    dispute_id: int
    conduct: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisputeInvestigated(Payload):
    """The internal investigation: who did it, which records were checked, what it found."""

    kind: ClassVar[EventKind] = EventKind.DISPUTE_INVESTIGATED
    dispute_id: int
    investigator: str
    records_checked: list[str]
    findings: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisputeDecided(Payload):
    """The decision on the demand: comply, comply in part, or dispute it."""

    kind: ClassVar[EventKind] = EventKind.DISPUTE_DECIDED
    dispute_id: int
    decision: str
    reasons: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactRestrictionAdded(Payload):
    kind: ClassVar[EventKind] = EventKind.CONTACT_RESTRICTION_ADDED
    restriction_id: int
    restriction: str
    note: str = ""
    dispute_id: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContactRestrictionLifted(Payload):
    kind: ClassVar[EventKind] = EventKind.CONTACT_RESTRICTION_LIFTED
    restriction_id: int
    restriction: str
    reason: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class FosEligibilityRecorded(Payload):
    """The customer's answers to the Financial Ombudsman Service eligibility questions
    (DISP 2.7.3R) and what they mean, under the thresholds of `rules_version`."""

    kind: ClassVar[EventKind] = EventKind.FOS_ELIGIBILITY_RECORDED
    answers: dict[str, str]
    eligible: bool
    reasons: list[str]
    rules_version: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CeaseDesistSent(Payload):
    """The customer's cease-and-desist went out: when, how (a `DeliveryMethod` value), its
    tracking number, and the date by which the conduct must stop."""

    kind: ClassVar[EventKind] = EventKind.CEASE_DESIST_SENT
    sent_id: int
    sent_on: str
    method: str
    tracking_number: str
    comply_by: str
    conduct: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CeaseDesistOutcome(Payload):
    """Whether the conduct stopped after the cease-and-desist, as the customer says."""

    kind: ClassVar[EventKind] = EventKind.CEASE_DESIST_OUTCOME
    sent_id: int
    stopped: bool
    note: str = ""


# mail
@dataclasses.dataclass(frozen=True, kw_only=True)
class MessageQueued(Payload):
    """An e-mail to the customer was written and queued for delivery: what it says, to
    whom, under which Message-ID, and what went with it. `automatic` is True for Plaint's
    own notifications (sent with Auto-Submitted: auto-generated), False for staff's words."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_QUEUED
    message_pk: int
    message_id: str
    to: str
    subject: str
    text: str
    automatic: bool
    purpose: str  # "reply", "letter" or a notification moment
    letter_seq: int | None = None
    attachments: list[str] = dataclasses.field(default_factory=list)  # file names
    #: Set when the message went despite a contact restriction, confirmed: who confirmed
    #: and the restrictions (id, kind, recorded_at).
    restriction_override: dict[str, Any] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class MessageDelivery(Payload):
    """What became of a queued e-mail: `outcome` is sent (the server accepted it, `reply`
    is what it said), bounced, failed, or unknown (the worker stopped between sending and
    recording: flagged for a person, never sent again by itself)."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_DELIVERY
    message_pk: int
    message_id: str
    outcome: str
    reply: str = ""
    at: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MessageReceived(Payload):
    """An e-mail came in on the case: who sent it, its subject, its words with quoted
    history and signature trimmed (`text`; the full text is in the message store, and the
    raw message is kept under `raw_sha256`), and the evidence made of its attachments.
    `automatic` says why it gets no automatic reply (empty: it may)."""

    kind: ClassVar[EventKind] = EventKind.MESSAGE_RECEIVED
    message_pk: int
    message_id: str
    sender: str
    subject: str
    text: str
    raw_sha256: str
    evidence_ids: list[int] = dataclasses.field(default_factory=list)
    refused_attachments: list[str] = dataclasses.field(default_factory=list)
    automatic: str = ""


PAYLOAD_TYPES: dict[EventKind, type[Payload]] = {
    cls.kind: cls
    for cls in (
        CaseOpened,
        ContactLogged,
        NoteAdded,
        EvidenceAttached,
        CaseAssigned,
        StatusChanged,
        ResolutionOffered,
        ResolutionAnswered,
        CaseClosed,
        PriorityChanged,
        MilestoneRecorded,
        DeadlineSet,
        DeadlineMet,
        DeadlineReminder,
        DeadlineBreached,
        TriageSuggested,
        TriageConfirmed,
        LegalReviewRequested,
        LegalReviewCleared,
        LetterGenerated,
        LetterSent,
        LetterWithdrawn,
        # disputes
        DisputeLogged,
        DisputeAuthorityRecorded,
        DisputeConductIdentified,
        DisputeInvestigated,
        DisputeDecided,
        ContactRestrictionAdded,
        ContactRestrictionLifted,
        FosEligibilityRecorded,
        CeaseDesistSent,
        CeaseDesistOutcome,
        # mail
        MessageQueued,
        MessageDelivery,
        MessageReceived,
    )
}


def _sibling_payloads() -> tuple[type[Payload], ...]:
    """The payloads kept in sibling modules (one per part: termination and reputation,
    records, the consumer workspace). They import `Payload` from here, so they are read
    once this module has defined it."""
    from plaint.domain.events_consumer import PAYLOADS as CONSUMER_PAYLOADS
    from plaint.domain.events_records import RECORDS_PAYLOADS
    from plaint.domain.events_termination import TERMINATION_PAYLOADS

    return (*TERMINATION_PAYLOADS, *RECORDS_PAYLOADS, *CONSUMER_PAYLOADS)


PAYLOAD_TYPES.update({cls.kind: cls for cls in _sibling_payloads()})


def _plain(value: Any) -> Any:
    """Reduce a payload value to JSON types: Decimals and dates become strings."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise DomainError("Event times must be timezone-aware.")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    raise TypeError(f"{type(value).__name__} cannot go into an event payload")


_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
)


def canonical_json(value: Any) -> str:
    """The one JSON spelling we hash: sorted keys, no spaces, UTF-8 characters kept."""
    return _CANONICAL.encode(value)


def payload_to_json(payload: Payload) -> str:
    # A shallow read of the fields: payload values are flat (the only nested values are
    # dicts of strings), and dataclasses.asdict's deep copy costs more than the hashing.
    names = _FIELD_NAMES.get(type(payload))
    if names is None:
        names = _FIELD_NAMES[type(payload)] = tuple(f.name for f in dataclasses.fields(payload))
    return canonical_json({name: getattr(payload, name) for name in names})


_FIELD_NAMES: dict[type[Payload], tuple[str, ...]] = {}


def payload_from_json(kind: EventKind | str, text: str) -> Payload:
    """Rebuild the typed payload of a stored event."""
    try:
        cls = PAYLOAD_TYPES[EventKind(kind)]
    except ValueError:
        raise DomainError(f"Unknown event kind {kind!r}.") from None
    data = json.loads(text)
    return cls(**data)
