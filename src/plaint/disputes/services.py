"""Every write of disputes. Each service is keyword-only, runs in one transaction, locks
the case, checks its input before writing anything, and records what it did in the case
ledger (one event per change, `cases.ledger.event_append`).

A cease-and-desist received (`dispute_log`) is stored with its letter as evidence (through
`cases.services.case_evidence_attach`), sends the case to legal review at once (the triage
record's legal-review state and its `legal_review_requested` event), and puts its reply
deadline on the case as a deadline the other side demands (`deadlines.services.
demand_deadline_set`: with the case's other deadlines, watched, never escalating); the
reply letter marked sent meets it (`reply_sent_hook`), closing the case cancels it.
The reviewer's checklist is one service per item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case
from plaint.cases.services import case_evidence_attach, case_lock, require_aware
from plaint.deadlines.services import demand_deadline_met, demand_deadline_set
from plaint.disputes.models import CeaseDesistSent, ContactRestriction, Dispute, FosEligibility
from plaint.disputes.selectors import reply_fields
from plaint.domain import events as ev
from plaint.domain.contactpoints import BIDI_CONTROLS, ContactPointError, name_clean
from plaint.domain.disputes.eligibility import fos_eligibility
from plaint.domain.disputes.referrals import referral_rule
from plaint.domain.disputes.restrictions import RestrictionKind, contradictions
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.triage.flags import Flag
from plaint.domain.vocabulary import DeliveryMethod, Visibility
from plaint.letters.services import GeneratedLetter, letter_generate
from plaint.triage.models import TriageRecord
from plaint.triage.selectors import triage_settings_get

MAX_TEXT = 20_000
MAX_RECORDS = 50
REVIEW = "cases.review_legal"
WORK = "cases.work_case"


def default_reply_days() -> int:
    """The organisation-wide default reply period when a letter sets no deadline (policy,
    not law: PD-PAC para 6(b) gives 14 days in a straightforward case, 🟡)."""
    return int(getattr(settings, "PLAINT_DISPUTES_DEFAULT_REPLY_DAYS", 14))


def _line(errors: dict[str, str], field: str, value: str, *, required: bool = False) -> str:
    try:
        return name_clean(value or "", required=required)
    except ContactPointError as exc:
        errors[field] = exc.message
        return ""


def _free(errors: dict[str, str], field: str, value: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = "is required"
    elif len(text) > MAX_TEXT:
        errors[field] = f"is longer than {MAX_TEXT:,} characters ({len(text):,})"
    elif "\x00" in text:
        errors[field] = "contains a NUL character"
    elif any(char in BIDI_CONTROLS for char in text):
        errors[field] = (
            "contains an invisible text-direction character, which can make it read "
            "differently from what is stored"
        )
    return text


def _refuse_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(f"{case.reference} is closed: reopen it before recording a dispute.")


def _may(actor: Actor, *perms: str) -> None:
    user = actor.user
    if user is not None and not any(user.has_perm(p) for p in perms):
        raise DomainError("Your role does not allow this on a dispute.")


def _local_today(case: Case, now: datetime) -> date:
    return now.astimezone(ZoneInfo(case.organisation.time_zone)).date()


@dataclass(frozen=True)
class LetterFile:
    """The received letter (a scan or an e-mail) to keep as evidence."""

    filename: str
    stream: BinaryIO
    content_type: str = ""


def _legal_review_request(case: Case, *, words: str, actor: Actor, now: datetime) -> bool:
    """Put the case in the legal review queue (the triage record's state) and record
    `legal_review_requested`, unless it is already waiting there. A case triage has not
    seen yet gets a triage record waiting for human triage, so both queues show it."""
    record = TriageRecord.objects.select_for_update().filter(case=case).first()
    if record is not None and record.legal_review == TriageRecord.LegalReview.PENDING:
        return False
    if record is None:
        record = TriageRecord(
            organisation=case.organisation,
            case=case,
            status=TriageRecord.Status.NEEDS_HUMAN,
            taxonomy=triage_settings_get(organisation=case.organisation).taxonomy,
            model="",
            confidence=0.0,
            urgency=0.0,
            suggested_priority=case.priority,
            sentiment=0.0,
            triaged_at=now,
        )
    record.legal_review = TriageRecord.LegalReview.PENDING
    record.save()
    event_append(
        case=case,
        payload=ev.LegalReviewRequested(flags={Flag.LITIGATION.value: [words]}),
        actor=actor,
        now=now,
    )
    return True


@transaction.atomic
def dispute_log(
    *,
    case: Case,
    sender: str,
    demands: str,
    letter_date: date | None,
    actor: Actor,
    now: datetime,
    on_behalf_of: str = "",
    their_reference: str = "",
    deadline: date | None = None,
    letter: LetterFile | None = None,
) -> Dispute:
    """Log a cease-and-desist (or solicitor's) letter received about `case`.

    The deadline is the letter's own, or `letter_date` plus the policy default. It may not
    fall before the letter's date; the letter may not be dated after today. Nothing is
    written when any of that is wrong."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    sender = _line(errors, "sender", sender, required=True)
    on_behalf_of = _line(errors, "on_behalf_of", on_behalf_of)
    their_reference = _line(errors, "their_reference", their_reference)
    demands = _free(errors, "demands", demands, required=True)
    today = _local_today(case, now)
    if letter_date is None:
        errors["letter_date"] = "is required: the date on the letter"
    elif letter_date > today:
        errors["letter_date"] = f"is {letter_date.isoformat()}, after today ({today.isoformat()})"
    elif deadline is not None and deadline < letter_date:
        errors["deadline"] = (
            f"is {deadline.isoformat()}, before the letter's own date ({letter_date.isoformat()})"
        )
    if errors:
        raise FieldErrors(errors)
    assert letter_date is not None
    source = Dispute.DeadlineSource.LETTER
    if deadline is None:
        deadline = letter_date + timedelta(days=default_reply_days())
        source = Dispute.DeadlineSource.POLICY
    case = case_lock(case)
    _refuse_closed(case)
    _may(actor, WORK, REVIEW)
    evidence = None
    if letter is not None:
        evidence = case_evidence_attach(
            case=case,
            filename=letter.filename,
            stream=letter.stream,
            content_type=letter.content_type,
            description=f"Cease-and-desist letter from {sender}"[:500],
            actor=actor,
            now=now,
        )
        case = case_lock(case)
    dispute = Dispute.objects.create(
        organisation=case.organisation,
        case=case,
        sender=sender,
        on_behalf_of=on_behalf_of,
        demands=demands,
        their_reference=their_reference,
        letter_date=letter_date,
        deadline=deadline,
        deadline_source=source,
        evidence=evidence,
        logged_at=now,
    )
    event_append(
        case=case,
        payload=ev.DisputeLogged(
            dispute_id=dispute.pk,
            sender=sender,
            on_behalf_of=on_behalf_of,
            demands=demands,
            their_reference=their_reference,
            letter_date=letter_date.isoformat(),
            deadline=deadline.isoformat(),
            deadline_source=source,
            evidence_id=evidence.pk if evidence else None,
        ),
        actor=actor,
        now=now,
    )
    _legal_review_request(
        case, words=f"cease-and-desist letter from {sender}", actor=actor, now=now
    )
    demand_deadline_set(
        case=case,
        key=reply_deadline_key(dispute),
        title=_reply_deadline_title(dispute),
        due_at=_end_of_day(case, deadline),
        actor=actor,
        now=now,
    )
    return dispute


def reply_deadline_key(dispute: Dispute) -> str:
    """The key of the dispute's reply deadline among the case's deadlines."""
    return f"DISPUTE/{dispute.pk}/reply"


def _reply_deadline_title(dispute: Dispute) -> str:
    whose = (
        "the date their letter demands"
        if dispute.deadline_source == Dispute.DeadlineSource.LETTER
        else f"their letter set none: policy default of {default_reply_days()} days"
    )
    return (
        f"Reply to the cease-and-desist from {dispute.sender[:150]} of "
        f"{dispute.letter_date:%-d %b %Y} ({whose}; the sender's demand, not a rule of law)"
    )


def _end_of_day(case: Case, day: date) -> datetime:
    """The end of `day` in the organisation's time zone, as the case's deadlines are kept
    (midnight at the start of the next day)."""
    zone = ZoneInfo(case.organisation.time_zone)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def reply_sent_hook(
    case: Case, letter: ev.LetterGenerated, sent_at: datetime, actor: Actor, now: datetime
) -> None:
    """A `cease-and-desist-reply` was marked sent: the reply deadline of the dispute it
    answers (the one whose sender and letter date the reply's fields name) is met at
    `sent_at`, in the transaction that records the `letter_sent` event. A reply that names
    no logged dispute meets nothing."""
    sender = str(letter.fields.get("letter.their_sender", "")).strip()
    dated = str(letter.fields.get("letter.their_letter_date", ""))[:10]
    for dispute in Dispute.objects.filter(case=case, sender=sender).order_by("id"):
        if dispute.letter_date.isoformat() == dated:
            demand_deadline_met(
                case=case, key=reply_deadline_key(dispute), met_at=sent_at, actor=actor, now=now
            )


def _dispute_lock(dispute: Dispute) -> tuple[Case, Dispute]:
    case = case_lock(dispute.case)
    _refuse_closed(case)
    return case, Dispute.objects.select_for_update().get(pk=dispute.pk)


@transaction.atomic
def dispute_authority_record(
    *,
    dispute: Dispute,
    status: str,
    actor: Actor,
    now: datetime,
    note: str = "",
    letter_seq: int | None = None,
) -> Dispute:
    """Record that the sender's authority to act was requested (optionally with the kept
    letter asking for it) or is on file."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    if status not in {Dispute.Authority.REQUESTED, Dispute.Authority.ON_FILE}:
        errors["status"] = f"{str(status)[:40]!r} is not one of: requested, on_file"
    note = _free(errors, "note", note)
    if letter_seq is not None and (status != Dispute.Authority.REQUESTED or letter_seq < 1):
        errors["letter_seq"] = "names the kept letter that asks for authority (status requested)"
    if errors:
        raise FieldErrors(errors)
    case, dispute = _dispute_lock(dispute)
    _may(actor, WORK, REVIEW)
    dispute.authority = status
    dispute.save(update_fields=["authority"])
    event_append(
        case=case,
        payload=ev.DisputeAuthorityRecorded(
            dispute_id=dispute.pk, status=status, note=note, letter_seq=letter_seq
        ),
        actor=actor,
        now=now,
    )
    return dispute


@transaction.atomic
def dispute_conduct_identify(
    *, dispute: Dispute, conduct: str, actor: Actor, now: datetime
) -> Dispute:
    """Record the conduct complained of, as the business identified it."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    conduct = _free(errors, "conduct", conduct, required=True)
    if errors:
        raise FieldErrors(errors)
    case, dispute = _dispute_lock(dispute)
    _may(actor, WORK, REVIEW)
    dispute.conduct = conduct
    dispute.save(update_fields=["conduct"])
    event_append(
        case=case,
        payload=ev.DisputeConductIdentified(dispute_id=dispute.pk, conduct=conduct),
        actor=actor,
        now=now,
    )
    return dispute


@transaction.atomic
def dispute_investigation_record(
    *,
    dispute: Dispute,
    investigator: str,
    records_checked: Sequence[str],
    findings: str,
    actor: Actor,
    now: datetime,
) -> Dispute:
    """Record the internal investigation: who, which records were checked, what it found."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    investigator = _line(errors, "investigator", investigator, required=True)
    records = []
    for number, item in enumerate(records_checked, start=1):
        problems: dict[str, str] = {}
        text = _line(problems, "records_checked", item)
        if problems:
            errors["records_checked"] = f"item {number} {problems['records_checked']}"
        elif text:
            records.append(text)
    if not records and "records_checked" not in errors:
        errors["records_checked"] = "name at least one record that was checked"
    elif len(records) > MAX_RECORDS:
        errors["records_checked"] = f"lists {len(records)} records; at most {MAX_RECORDS}"
    findings = _free(errors, "findings", findings, required=True)
    if errors:
        raise FieldErrors(errors)
    case, dispute = _dispute_lock(dispute)
    _may(actor, WORK, REVIEW)
    dispute.investigator, dispute.records_checked, dispute.findings = (
        investigator,
        records,
        findings,
    )
    dispute.save(update_fields=["investigator", "records_checked", "findings"])
    event_append(
        case=case,
        payload=ev.DisputeInvestigated(
            dispute_id=dispute.pk,
            investigator=investigator,
            records_checked=records,
            findings=findings,
        ),
        actor=actor,
        now=now,
    )
    return dispute


@transaction.atomic
def dispute_decide(
    *, dispute: Dispute, decision: str, reasons: str, actor: Actor, now: datetime
) -> Dispute:
    """The legal reviewer's decision: comply, comply in part, or dispute the demand."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    options = [d.value for d in Dispute.Decision if d.value]
    if decision not in options:
        errors["decision"] = f"{str(decision)[:40]!r} is not one of: {', '.join(options)}"
    reasons = _free(errors, "reasons", reasons, required=True)
    if errors:
        raise FieldErrors(errors)
    case, dispute = _dispute_lock(dispute)
    _may(actor, REVIEW)
    if not dispute.findings:
        raise DomainError("Record the investigation before deciding on the letter.")
    dispute.decision, dispute.decision_reasons, dispute.decided_at = decision, reasons, now
    dispute.save(update_fields=["decision", "decision_reasons", "decided_at"])
    event_append(
        case=case,
        payload=ev.DisputeDecided(dispute_id=dispute.pk, decision=decision, reasons=reasons),
        actor=actor,
        now=now,
    )
    return dispute


@transaction.atomic
def restriction_add(
    *,
    case: Case,
    kind: str,
    actor: Actor,
    now: datetime,
    note: str = "",
    dispute: Dispute | None = None,
) -> ContactRestriction:
    """Put a contact restriction in force. One that contradicts a restriction in force (or
    repeats it) is refused with the reason, and nothing is written."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    try:
        restriction = RestrictionKind(kind)
    except ValueError:
        options = ", ".join(k.value for k in RestrictionKind)
        errors["kind"] = f"{str(kind)[:40]!r} is not one of: {options}"
    note = _free(errors, "note", note)
    if dispute is not None and dispute.case_id != case.pk:
        errors["dispute"] = "is a dispute of another case"
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    _refuse_closed(case)
    _may(actor, WORK, REVIEW)
    in_force = [
        RestrictionKind(r.kind)
        for r in ContactRestriction.objects.filter(case=case, lifted_at__isnull=True)
    ]
    problems = contradictions(restriction, in_force)
    if problems:
        raise FieldErrors({"kind": "; ".join(problems) + ". Lift the other restriction first"})
    row = ContactRestriction.objects.create(
        organisation=case.organisation,
        case=case,
        kind=restriction.value,
        note=note,
        dispute=dispute,
        starts_at=now,
    )
    event_append(
        case=case,
        payload=ev.ContactRestrictionAdded(
            restriction_id=row.pk,
            restriction=restriction.value,
            note=note,
            dispute_id=dispute.pk if dispute else None,
        ),
        actor=actor,
        now=now,
    )
    return row


@transaction.atomic
def restriction_lift(
    *, restriction: ContactRestriction, reason: str, actor: Actor, now: datetime
) -> ContactRestriction:
    require_aware(now=now)
    errors: dict[str, str] = {}
    reason = _free(errors, "reason", reason, required=True)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(restriction.case)
    _may(actor, WORK, REVIEW)
    row = ContactRestriction.objects.select_for_update().get(pk=restriction.pk)
    if row.lifted_at is not None:
        raise DomainError("That contact restriction was already lifted.")
    row.lifted_at, row.lifted_reason = now, reason
    row.save(update_fields=["lifted_at", "lifted_reason"])
    event_append(
        case=case,
        payload=ev.ContactRestrictionLifted(
            restriction_id=row.pk, restriction=row.kind, reason=reason
        ),
        actor=actor,
        now=now,
    )
    return row


@transaction.atomic
def fos_eligibility_record(
    *, case: Case, answers: Mapping[str, Any], actor: Actor, now: datetime
) -> FosEligibility:
    """Record the customer's answers to the FOS eligibility questions. Refused, with
    nothing written, for a case whose regime has no FOS route or an answer out of range."""
    require_aware(now=now)
    rule = referral_rule(case.regime)  # UnknownReferralRegime for a regime with none
    if not rule.fos_eligibility:
        raise DomainError(
            f"{case.regime} refers to {rule.body}, which has no Financial Ombudsman Service "
            "eligibility questions."
        )
    result = fos_eligibility(answers)
    case = case_lock(case)
    row, _ = FosEligibility.objects.update_or_create(
        case=case,
        defaults={
            "organisation": case.organisation,
            "answers": result.answers,
            "eligible": result.eligible,
            "reasons": list(result.reasons),
            "rules_version": result.version,
            "recorded_at": now,
        },
    )
    event_append(
        case=case,
        payload=ev.FosEligibilityRecorded(
            answers=result.answers,
            eligible=result.eligible,
            reasons=list(result.reasons),
            rules_version=result.version,
        ),
        actor=actor,
        now=now,
    )
    return row


def dispute_reply_draft(
    *,
    dispute: Dispute,
    actor: Actor,
    now: datetime,
    fields: Mapping[str, Any] | None = None,
    formats: Sequence[str] = ("md", "html", "pdf"),
) -> GeneratedLetter:
    """Draft and keep the `cease-and-desist-reply` letter from the dispute's record (see
    `selectors.reply_fields`); `fields` fill what the record does not hold (e.g. a later
    `letter.respond_by`) and override it. One `letter_generated` event, as every kept letter."""
    dispute = Dispute.objects.select_related("case").get(pk=dispute.pk)
    values = {**reply_fields(dispute=dispute), **(fields or {})}
    return letter_generate(
        case=dispute.case,
        kind="cease-and-desist-reply",
        actor=actor,
        now=now,
        fields=values,
        formats=formats,
    )


@transaction.atomic
def cease_desist_sent_record(
    *,
    case: Case,
    sent_on: date | None,
    method: str,
    comply_by: date | None,
    conduct: str,
    actor: Actor,
    now: datetime,
    tracking_number: str = "",
) -> CeaseDesistSent:
    """Record that the customer's cease-and-desist went out (the customer's side). A tracked
    method needs its tracking number; the compliance date may not fall before sending."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    try:
        delivery = DeliveryMethod(method)
    except ValueError:
        errors["method"] = f"{str(method)[:40]!r} is not one of: " + ", ".join(
            m.value for m in DeliveryMethod
        )
        delivery = None
    tracking_number = _line(errors, "tracking_number", tracking_number)
    if (
        delivery is not None
        and delivery.needs_tracking
        and not tracking_number
        and ("tracking_number" not in errors)
    ):
        errors["tracking_number"] = f"is required for {delivery.label.lower()}"
    conduct = _free(errors, "conduct", conduct, required=True)
    today = _local_today(case, now)
    if sent_on is None:
        errors["sent_on"] = "is required: the date the letter went out"
    elif sent_on > today:
        errors["sent_on"] = f"is {sent_on.isoformat()}, after today ({today.isoformat()})"
    if comply_by is None:
        errors["comply_by"] = "is required: the date by which the conduct must stop"
    elif sent_on is not None and comply_by < sent_on:
        errors["comply_by"] = (
            f"is {comply_by.isoformat()}, before the letter was sent ({sent_on.isoformat()})"
        )
    if errors:
        raise FieldErrors(errors)
    assert sent_on is not None and comply_by is not None and delivery is not None
    case = case_lock(case)
    row = CeaseDesistSent.objects.create(
        organisation=case.organisation,
        case=case,
        sent_on=sent_on,
        method=delivery.value,
        tracking_number=tracking_number,
        comply_by=comply_by,
        conduct=conduct,
        recorded_at=now,
    )
    event_append(
        case=case,
        payload=ev.CeaseDesistSent(
            sent_id=row.pk,
            sent_on=sent_on.isoformat(),
            method=delivery.value,
            tracking_number=tracking_number,
            comply_by=comply_by.isoformat(),
            conduct=conduct,
        ),
        actor=actor,
        now=now,
        visibility=Visibility.CUSTOMER,
    )
    return row


@transaction.atomic
def cease_desist_outcome_record(
    *, sent: CeaseDesistSent, stopped: bool, actor: Actor, now: datetime, note: str = ""
) -> CeaseDesistSent:
    """Record whether the conduct stopped after the customer's cease-and-desist."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    note = _free(errors, "note", note)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(sent.case)
    row = CeaseDesistSent.objects.select_for_update().get(pk=sent.pk)
    row.stopped, row.outcome_note, row.outcome_at = stopped, note, now
    row.save(update_fields=["stopped", "outcome_note", "outcome_at"])
    event_append(
        case=case,
        payload=ev.CeaseDesistOutcome(sent_id=row.pk, stopped=stopped, note=note),
        actor=actor,
        now=now,
        visibility=Visibility.CUSTOMER,
    )
    return row
