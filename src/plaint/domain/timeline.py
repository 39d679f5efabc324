"""Events in words: one sentence per event, for timelines and exports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from plaint.domain import events as ev
from plaint.domain import events_termination as tev
from plaint.domain.deadlines.milestones import MILESTONES
from plaint.domain.lifecycle import STATUS_LABELS, CaseStatus
from plaint.domain.vocabulary import DeliveryMethod


def _milestone(name: str) -> str:
    known = MILESTONES.get(name)
    return known.label if known else name.replace("_", " ").capitalize()


def _status(value: str) -> str:
    try:
        return STATUS_LABELS[CaseStatus(value)]
    except ValueError:
        return value


def _money(amount: str | None, currency: str) -> str:
    return f"{currency} {amount}".strip() if amount else ""


def _opened(p: ev.CaseOpened) -> str:
    via = p.channel.replace("_", " ")
    source = f", imported from {p.source.upper()} #{p.external_id}" if p.source else ""
    return f"Complaint {p.reference} received by {via}{source}."


def _contact(p: ev.ContactLogged) -> str:
    parts = [f"{p.direction.capitalize()} {p.channel.replace('_', ' ')} contact"]
    if p.representative:
        parts.append(f"with {p.representative}")
    if p.ticket_number:
        parts.append(f"(ticket {p.ticket_number})")
    text = " ".join(parts)
    if p.wait_minutes is not None:
        text += f"; waited {p.wait_minutes} min"
    return text + "." + _overridden(p.restriction_override)


def _overridden(override: dict[str, Any] | None) -> str:
    """The sentence an event adds when it went ahead despite contact restrictions."""
    if not override:
        return ""
    named = ", ".join(
        f"#{r.get('id')} ({_restriction(str(r.get('kind', '')))})"
        for r in override.get("restrictions", [])
    )
    who = override.get("confirmed_by")
    return f" Went ahead despite contact restriction {named}, confirmed by {who}."


#: A contact in the words the customer reads when its summary is staff's own note.
_CONTACT_NOUNS = {
    "phone": "a phone call",
    "email": "an e-mail",
    "web": "a message through the website",
    "chat": "a chat",
    "letter": "a letter",
    "in_person": "a visit",
    "social_media": "a social media message",
    "referral": "a referral",
    "fax": "a fax",
}


def contact_in_brief(p: ev.ContactLogged, *, on: str) -> str:
    """That the contact happened and when (`on`, the date as the reader's zone spells
    it), and nothing of what staff noted: "A phone call on 02 Mar 2026."."""
    noun = _CONTACT_NOUNS.get(p.channel, "a contact")
    return f"{noun[0].upper()}{noun[1:]} on {on}."


def _assigned(p: ev.CaseAssigned) -> str:
    if not p.assignee_name:
        return f"Unassigned (was {p.previous_assignee_name})."
    if p.previous_assignee_name:
        return f"Reassigned from {p.previous_assignee_name} to {p.assignee_name}."
    return f"Assigned to {p.assignee_name}."


def _offered(p: ev.ResolutionOffered) -> str:
    money = _money(p.amount, p.currency)
    return f"Offered {p.redress}{' of ' + money if money else ''}."


def _answered(p: ev.ResolutionAnswered) -> str:
    return f"Customer {'accepted' if p.accepted else 'rejected'} the offer."


def _closed(p: ev.CaseClosed) -> str:
    code = p.root_cause_code.replace("_", " ") if p.root_cause_code else "uncoded"
    detail = f" ({p.root_cause})" if p.root_cause else ""
    return f"Closed: {p.outcome.replace('_', ' ')}; root cause: {code}{detail}."


def _when(iso: str | None) -> str:
    if not iso:
        return "no date yet"
    return datetime.fromisoformat(iso).strftime("%d %b %Y %H:%M")


_BEFORE_IMPORT = " (before the case was imported; nobody was notified)"


def _deadline_set(p: ev.DeadlineSet) -> str:
    if p.previous_due_at is None:
        return f"Deadline: {p.title}, due {_when(p.due_at)}."
    return f"Deadline moved: {p.title}, now due {_when(p.due_at)} (was {_when(p.previous_due_at)})."


def _flag_names(flags: Any) -> str:
    return ", ".join(str(flag).replace("_", " ") for flag in flags)


def _triage_suggested(p: ev.TriageSuggested) -> str:
    labels = "; ".join(
        f"{name} {label} ({p.confidences.get(name, '?')})" for name, label in p.labels.items()
    )
    text = f"Triage suggested {labels or 'no labels'}; urgency {p.urgency} ({p.priority})"
    if p.flags:
        text += f"; flags: {_flag_names(p.flags)}"
    if p.needs_human_triage:
        text += "; needs human triage"
    return text + "."


def _triage_confirmed(p: ev.TriageConfirmed) -> str:
    labels = "; ".join(f"{name} {label}" for name, label in p.labels.items())
    verb = "corrected" if p.corrected else "confirmed"
    return f"Triage {verb}: {labels}."


def _delivery(method: str) -> str:
    try:
        return DeliveryMethod(method).words
    except ValueError:
        return "by " + method.replace("_", " ")


def _changes(old: dict[str, str | None], new: dict[str, str | None]) -> str:
    def shown(value: str | None) -> str:
        return f"“{value}”" if value else "(empty)"

    return "; ".join(
        f"{name.replace('_', ' ')} {shown(old.get(name))} → {shown(value)}"
        for name, value in new.items()
    )


_AUDIENCES = {
    "staff": "for staff",
    "customer": "for the customer",
    "subject access": "for a subject access request",
}


def _letter_sent(p: ev.LetterSent) -> str:
    return f"{p.title} sent {_delivery(p.method)} on {_when(p.sent_at)}."


def _words(value: str) -> str:
    return value.replace("_", " ")


# disputes
_RESTRICTION_WORDS = {
    "stop_calling": "stop calling",
    "not_at_work": "no contact at work",
    "writing_only": "contact in writing only",
    "solicitor_only": "contact only through their solicitor",
    "phone_only": "contact by phone only",
}
_DECISION_WORDS = {"comply": "comply", "comply_in_part": "comply in part", "dispute": "dispute it"}


def _day(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d %b %Y")


def _dispute_logged(p: ev.DisputeLogged) -> str:
    behalf = f" on behalf of {p.on_behalf_of}" if p.on_behalf_of else ""
    source = " (policy default)" if p.deadline_source == "policy" else ""
    return (
        f"Cease-and-desist letter received from {p.sender}{behalf}, dated "
        f"{_day(p.letter_date)}; reply due by {_day(p.deadline)}{source}."
    )


def _restriction(value: str) -> str:
    return _RESTRICTION_WORDS.get(value, value.replace("_", " "))


_DELIVERY_WORDS = {
    "sent": "accepted by the mail server",
    "bounced": "refused by the recipient's mail server",
    "failed": "could not be delivered",
    "unknown": "may or may not have been sent; a person must check",
    "queued": "queued to be sent again, on a person's decision",
}


def _message_queued(p: ev.MessageQueued) -> str:
    what = "Notification" if p.automatic else "E-mail"
    with_files = f" with {len(p.attachments)} attachment(s)" if p.attachments else ""
    text = f"{what} to {p.to} queued{with_files}: {p.subject}."
    return text + _overridden(p.restriction_override)


def _message_received(p: ev.MessageReceived) -> str:
    files = f" with {len(p.evidence_ids)} attachment(s)" if p.evidence_ids else ""
    return f"E-mail received from {p.sender}{files}: {p.subject}."


_DESCRIBERS: dict[ev.EventKind, Callable[[Any], str]] = {
    ev.EventKind.CASE_OPENED: _opened,
    ev.EventKind.CONTACT_LOGGED: _contact,
    ev.EventKind.NOTE_ADDED: lambda p: "Note added.",
    ev.EventKind.EVIDENCE_ATTACHED: lambda p: (
        f"Evidence attached: {p.filename} ({p.size:,} bytes)."
    ),
    ev.EventKind.CASE_ASSIGNED: _assigned,
    ev.EventKind.STATUS_CHANGED: lambda p: (
        f"Status changed from {_status(p.from_status)} to {_status(p.to_status)}."
    ),
    ev.EventKind.RESOLUTION_OFFERED: _offered,
    ev.EventKind.RESOLUTION_ANSWERED: _answered,
    ev.EventKind.CASE_CLOSED: _closed,
    ev.EventKind.PRIORITY_CHANGED: lambda p: (
        f"Priority changed from {p.from_priority} to {p.to_priority}."
    ),
    ev.EventKind.MILESTONE_RECORDED: lambda p: f"{_milestone(p.milestone)}: {_when(p.at)}.",
    ev.EventKind.DEADLINE_SET: _deadline_set,
    ev.EventKind.DEADLINE_MET: lambda p: f"Deadline met{'' if p.on_time else ' late'}: {p.title}.",
    ev.EventKind.DEADLINE_REMINDER: lambda p: (
        f"Reminder: {p.title} is due {_when(p.due_at)}{_BEFORE_IMPORT if p.historic else ''}."
    ),
    ev.EventKind.DEADLINE_BREACHED: lambda p: (
        f"Deadline missed: {p.title} (due "
        f"{_when(p.due_at)}){'; case escalated' if p.escalated else ''}"
        f"{_BEFORE_IMPORT if p.historic else ''}."
    ),
    ev.EventKind.TRIAGE_SUGGESTED: _triage_suggested,
    ev.EventKind.TRIAGE_CONFIRMED: _triage_confirmed,
    ev.EventKind.LEGAL_REVIEW_REQUESTED: lambda p: f"Sent to legal review: {_flag_names(p.flags)}.",
    ev.EventKind.LEGAL_REVIEW_CLEARED: lambda p: (
        f"Legal review cleared ({_flag_names(p.flags) or 'no flags'})."
    ),
    ev.EventKind.LETTER_GENERATED: lambda p: (
        f"Letter generated: {p.title} ({', '.join(sorted(p.files)) or 'no files'}; "
        f"template {p.letter} {p.template_version})."
    ),
    ev.EventKind.LETTER_SENT: _letter_sent,
    # consumer
    ev.EventKind.CONSUMER_CASE_STARTED: lambda p: (
        f"Case file started{' from an imported file' if p.source == 'import' else ''}: {p.title}."
    ),
    ev.EventKind.CONSUMER_ANSWERS_SAVED: lambda p: (
        f"{len(p.answers)} answer{'' if len(p.answers) == 1 else 's'} saved"
        f"{'; the conduct is still going on' if p.conduct_continues else ''}."
    ),
    ev.EventKind.CONSUMER_REMINDER_SENT: lambda p: (
        f"Reminder e-mailed: {'; '.join(d['title'] for d in p.dates)}."
    ),
    ev.EventKind.LETTER_WITHDRAWN: lambda p: (
        f"Letter #{p.letter_seq} withdrawn before it was sent: {p.title}."
    ),
    # termination
    ev.EventKind.TERMINATION_PROPOSED: lambda p: (
        f"Termination #{p.termination_id} proposed ({_words(p.reason)}), resting on "
        f"{', '.join(p.cases)}{'; immediate action' if p.immediate_justification else ''}."
    ),
    ev.EventKind.TERMINATION_ALTERNATIVE_RECORDED: lambda p: (
        f"Termination #{p.termination_id}: alternative tried first, {_words(p.alternative)} "
        f"({_words(p.outcome)})."
    ),
    ev.EventKind.TERMINATION_CHECKED: lambda p: (
        f"Termination #{p.termination_id}: legal and contract check recorded "
        f"({p.contract_clause}){'; vulnerable customer' if p.vulnerable else ''}."
    ),
    ev.EventKind.TERMINATION_LEGAL_SIGNED_OFF: lambda p: (
        f"Termination #{p.termination_id}: signed off by a legal reviewer."
    ),
    ev.EventKind.TERMINATION_DECIDED: lambda p: (
        f"Termination #{p.termination_id} {'approved' if p.approved else 'refused'} by a "
        "supervisor."
    ),
    ev.EventKind.TERMINATION_NOTICE_ISSUED: lambda p: (
        f"Termination #{p.termination_id}: notice issued on {p.notice_on}, effective "
        f"{p.effective_on} (letter #{p.letter_seq} on {p.letter_case})."
    ),
    ev.EventKind.TERMINATION_REVERSED: lambda p: (
        f"Termination #{p.termination_id} withdrawn before its effective date."
    ),
    ev.EventKind.TERMINATION_APPEALED: lambda p: (
        f"Termination #{p.termination_id}: the customer appealed; paused until reviewed."
    ),
    ev.EventKind.TERMINATION_APPEAL_REVIEWED: lambda p: (
        f"Termination #{p.termination_id}: appeal reviewed, "
        f"{'upheld (termination withdrawn)' if p.upheld else 'not upheld'}."
    ),
    ev.EventKind.TERMINATION_TOOK_EFFECT: lambda p: (
        f"Termination #{p.termination_id} took effect on {p.effective_on}; aftermath tasks "
        f"created: {', '.join(_words(t) for t in p.tasks)}."
    ),
    ev.EventKind.TERMINATION_TASK_DONE: lambda p: (
        f"Termination #{p.termination_id}: aftermath task done ({_words(p.task)})."
    ),
    # reputation
    ev.EventKind.REVIEW_LINKED: lambda p: (
        f"Public {p.source} review ({p.rating} of 5) linked to this case: {_words(p.why)}."
    ),
    # disputes
    ev.EventKind.DISPUTE_LOGGED: _dispute_logged,
    ev.EventKind.DISPUTE_AUTHORITY_RECORDED: lambda p: (
        "Authority to act for the customer requested."
        if p.status == "requested"
        else "Authority to act for the customer on file."
    ),
    ev.EventKind.DISPUTE_CONDUCT_IDENTIFIED: lambda p: "Conduct complained of identified.",
    ev.EventKind.DISPUTE_INVESTIGATED: lambda p: (
        f"Investigated by {p.investigator}: {len(p.records_checked)} record"
        f"{'' if len(p.records_checked) == 1 else 's'} checked."
    ),
    ev.EventKind.DISPUTE_DECIDED: lambda p: (
        f"Decision on the cease-and-desist: {_DECISION_WORDS.get(p.decision, p.decision)}."
    ),
    ev.EventKind.CONTACT_RESTRICTION_ADDED: lambda p: (
        f"Contact restriction: {_restriction(p.restriction)}."
    ),
    ev.EventKind.CONTACT_RESTRICTION_LIFTED: lambda p: (
        f"Contact restriction lifted: {_restriction(p.restriction)}."
    ),
    ev.EventKind.FOS_ELIGIBILITY_RECORDED: lambda p: (
        "Financial Ombudsman Service eligibility answers recorded: "
        f"{'appears eligible' if p.eligible else 'appears not eligible'}."
    ),
    ev.EventKind.CEASE_DESIST_SENT: lambda p: (
        f"Cease-and-desist letter sent {_delivery(p.method)} on {_day(p.sent_on)}; "
        f"the conduct must stop by {_day(p.comply_by)}."
    ),
    ev.EventKind.CEASE_DESIST_OUTCOME: lambda p: (
        "The conduct stopped after the cease-and-desist letter."
        if p.stopped
        else "The conduct did not stop after the cease-and-desist letter."
    ),
    # records
    ev.EventKind.CASE_CORRECTED: lambda p: f"Case details corrected: {_changes(p.old, p.new)}.",
    ev.EventKind.CUSTOMER_CORRECTED: lambda p: (
        f"Customer's details corrected: {_changes(p.old, p.new)}."
    ),
    ev.EventKind.CASE_EXPORTED: lambda p: (
        f"Evidence pack exported {_AUDIENCES.get(p.audience, f'for {p.audience}')} "
        f"(events 1 to {p.ledger_length}, {p.files} files)."
    ),
    ev.EventKind.LEGAL_HOLD_PLACED: lambda p: "Legal hold placed: nothing may be erased.",
    ev.EventKind.LEGAL_HOLD_LIFTED: lambda p: "Legal hold lifted.",
    ev.EventKind.CUSTOMER_HOLD_PLACED: lambda p: (
        "Legal hold placed on the customer: nothing of any of their cases may be erased."
    ),
    ev.EventKind.CUSTOMER_HOLD_LIFTED: lambda p: "Legal hold on the customer lifted.",
    ev.EventKind.CASE_ERASED: lambda p: (
        f"Personal data erased under {p.rule} (retention ended {p.retention_ended_on}), "
        f"confirmed by {p.confirmed_by}: the facts reports count are kept."
    ),
    ev.EventKind.SUBJECT_ACCESS_REQUESTED: lambda p: (
        f"Subject access request received by {p.received_by} on {p.requested_on}: "
        f"answer due by {p.due_on} (period unverified)."
    ),
    ev.EventKind.SUBJECT_ACCESS_ANSWERED: lambda p: (
        f"Subject access answered: everything held, {p.cases} case(s), as one ZIP"
        + (f", after the due date {p.due_on}." if p.late else ".")
    ),
    # mail
    ev.EventKind.MESSAGE_QUEUED: _message_queued,
    ev.EventKind.MESSAGE_DELIVERY: lambda p: (
        f"E-mail {p.message_id} {_DELIVERY_WORDS.get(p.outcome, p.outcome)}."
    ),
    ev.EventKind.MESSAGE_RECEIVED: _message_received,
}


def describe(payload: ev.Payload) -> str:
    """One sentence saying what the event records."""
    return _DESCRIBERS[payload.kind](payload)


def detail(payload: ev.Payload) -> str:
    """The free text an event carries (a note, a summary, a reason), if any. A freshly
    derived deadline has nothing to add to its sentence; a sent letter adds its tracking
    number."""
    if isinstance(payload, ev.DeadlineSet) and payload.reason == "derived":
        return ""
    if isinstance(payload, tev.TerminationTaskDone):
        return payload.outcome
    if isinstance(payload, ev.LetterSent):
        return f"Tracking number {payload.tracking_number}" if payload.tracking_number else ""
    for name in (
        "text",
        "summary",
        "reason",
        "comment",
        "description",
        "note",
        "reasons",
        "grounds",
        "facts",
        "demands",
        "conduct",
        "findings",
    ):
        value = getattr(payload, name, "")
        if isinstance(value, str) and value and not isinstance(payload, ev.CaseOpened):
            return value
    return ""
