"""The API's request and response shapes. Timestamps are RFC 3339 with their offset;
amounts are decimal strings with their currency (`{"amount": "226.00", "currency":
"GBP"}`). Text is returned exactly as stored: it is data, never markup."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, Field


def _text_only(value: Any) -> Any:
    """Dates and times come as RFC 3339 text; a bare number (which pydantic would read as
    seconds since 1970) is refused."""
    if isinstance(value, int | float | bool):
        raise ValueError("must be written as text: YYYY-MM-DD, or an RFC 3339 date and time")
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("must be written as YYYY-MM-DD, or an RFC 3339 date and time")
    return value


Day = Annotated[date, BeforeValidator(_text_only)]
Moment = Annotated[datetime, BeforeValidator(_text_only)]


class Money(Schema):
    amount: str = Field(description="A decimal string, e.g. '226.00'.")
    currency: str = Field(description="ISO 4217 code, e.g. GBP.")


class ProblemError(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError] | None = None


class CustomerIn(Schema):
    name: str
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    preferred_contact_times: str = ""
    vulnerability_notes: str = ""


class CaseIn(Schema):
    customer: CustomerIn
    description: str
    channel: str = Field("web", description="web, email, phone, letter, chat, in_person...")
    received_at: Moment | None = Field(None, description="Default: now.")
    product: str = ""
    issue: str = ""
    respondent: str = ""
    order_number: str = ""
    account_number: str = ""
    amount_in_dispute: Money | None = None
    occurred_on: Day | None = None
    desired_resolution: str = ""
    regime: str = ""
    category: str = ""
    priority: str = "normal"


class PersonOut(Schema):
    id: int
    name: str


class CustomerOut(Schema):
    name: str
    email: str
    phone: str
    postal_address: str


class CaseSummaryOut(Schema):
    reference: str
    status: str
    priority: str
    channel: str
    received_at: datetime
    customer_name: str
    product: str
    category: str
    assignee: PersonOut | None
    updated_at: datetime


class CaseOut(Schema):
    reference: str
    status: str
    priority: str
    channel: str
    received_at: datetime
    customer: CustomerOut
    product: str
    issue: str
    respondent: str
    order_number: str
    account_number: str
    amount_in_dispute: Money | None
    occurred_on: date | None
    description: str
    desired_resolution: str
    regime: str
    category: str
    assignee: PersonOut | None
    outcome: str
    root_cause_code: str
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    ledger_length: int
    etag: str = Field(description="The value to send back in If-Match.")
    next_statuses: list[str]


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next: str | None = Field(description="Cursor of the next page; null on the last.")


class TransitionIn(Schema):
    to: str
    reason: str = ""


class CloseIn(Schema):
    outcome: str
    root_cause_code: str
    root_cause: str = ""
    summary: str = ""


class ContactIn(Schema):
    contact_at: Moment
    channel: str
    direction: str
    representative: str = ""
    ticket_number: str = ""
    wait_minutes: int | None = None
    summary: str = ""
    summary_visibility: str = "internal"
    visibility: str = "customer"


class ContactOut(Schema):
    id: int
    contact_at: datetime
    channel: str
    direction: str
    representative: str
    ticket_number: str
    wait_minutes: int | None
    summary: str
    summary_visibility: str
    logged_at: datetime


class NoteIn(Schema):
    text: str
    visibility: str = "internal"


class EventOut(Schema):
    seq: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    actor_kind: str
    actor_label: str
    visibility: str
    sentence: str
    payload: dict[str, Any]
    hash: str


class EventPage(Schema):
    items: list[EventOut]
    next: str | None


class VerificationOut(Schema):
    ok: bool
    cases_checked: int
    events_checked: int
    problems: list[str]


class EvidenceOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str
    uploaded_at: datetime


class OfferIn(Schema):
    redress: str
    amount: Money | None = None
    description: str = ""
    visibility: str = "customer"


class OfferOut(Schema):
    id: int
    redress: str
    amount: Money | None
    description: str
    offered_at: datetime
    answer: str
    answer_comment: str
    answered_at: datetime | None


class AnswerIn(Schema):
    accepted: bool
    comment: str = ""


class SourceOut(Schema):
    citation: str
    url: str
    verification: str
    last_verified: date
    note: str


class DeadlineOut(Schema):
    key: str
    title: str
    party: str
    kind: str
    verification: str
    state: str
    due_at: datetime | None
    met_at: datetime | None
    waiting_for: str
    provisional: str
    business_days_left: int | None
    overdue: bool


class ExplainOut(Schema):
    key: str
    title: str
    description: str
    party: str
    due_at: datetime | None
    due_date: date | None
    blocked: str
    provisional: str
    warnings: list[str]
    steps: list[str]
    sources: list[SourceOut]


class DeadlinesOut(Schema):
    deadlines: list[DeadlineOut]
    explain: list[ExplainOut] | None = None


class TriageOut(Schema):
    status: str
    taxonomy: str
    model: str
    suggestions: dict[str, Any]
    confidence: float
    flags: list[Any]
    legal_review: str
    urgency: float
    suggested_priority: str
    sentiment: float
    triaged_at: datetime
    confirmed_labels: dict[str, str]
    confirmed_at: datetime | None


class TriageConfirmIn(Schema):
    labels: dict[str, str] = Field(
        description="Label set -> label; a label set left out confirms its suggestion."
    )


class LetterIn(Schema):
    kind: str
    fields: dict[str, str] = Field(default_factory=dict)
    formats: list[str] = Field(default_factory=lambda: ["md", "html", "pdf"])


class LetterOut(Schema):
    seq: int
    letter_id: str
    title: str
    generated_at: datetime
    formats: list[str]
    draft: bool
    sent_at: datetime | None
    sent_method: str
    withdrawn: bool


class LetterSentIn(Schema):
    method: str
    sent_at: Moment
    tracking_number: str = ""


class StaffOut(Schema):
    id: int
    username: str
    name: str
    email: str
    roles: list[str]
    active: bool


class StaffPage(Schema):
    items: list[StaffOut]
    next: str | None


class CaseCorrectIn(Schema):
    """The facts to correct; leave out what stays. `reason` is required."""

    reason: str
    product: str | None = None
    issue: str | None = None
    respondent: str | None = None
    order_number: str | None = None
    account_number: str | None = None
    amount_in_dispute: Money | None = None
    occurred_on: Day | None = None
    received_at: Moment | None = None


class AssignIn(Schema):
    assignee: int | None = Field(description="A staff id; null to unassign.")


class PriorityIn(Schema):
    priority: str
    reason: str = ""
