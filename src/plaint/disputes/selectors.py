"""Reads of disputes, every one scoped to one organisation (through the case it is given,
or the organisation it is asked about)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.facts import calendars_for
from plaint.deadlines.models import CaseDeadline
from plaint.disputes.models import CeaseDesistSent, ContactRestriction, Dispute, FosEligibility
from plaint.domain.deadlines.calendars import UnknownCalendar
from plaint.domain.disputes.next_steps import REGIME_PROBLEMS, Problem, Step, next_steps
from plaint.domain.disputes.referrals import (
    ReferralFacts,
    ReferralWindow,
    UnknownReferralRegime,
    referral_rule,
    referral_window,
)
from plaint.domain.disputes.restrictions import (
    ContactAttempt,
    RecordedRestriction,
    RestrictionKind,
    forbidding,
)
from plaint.domain.errors import DomainError
from plaint.domain.events import EventKind
from plaint.domain.vocabulary import Channel


@dataclass(frozen=True)
class RestrictionHit:
    """A restriction in force that forbids a contact, and why."""

    restriction: ContactRestriction
    reason: str


def restrictions_in_force(*, case: Case, now: datetime) -> list[ContactRestriction]:
    return list(
        ContactRestriction.objects.filter(
            organisation_id=case.organisation_id, case=case, starts_at__lte=now
        )
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=now))
        .order_by("starts_at", "id")
    )


def restrictions_recorded(case: Case, at: datetime) -> list[RecordedRestriction]:
    """The restrictions of `case` in force at `at`, as the pure rules take them (the
    source the case services enforce, registered in `DisputesConfig.ready`)."""
    return [_recorded(row) for row in restrictions_in_force(case=case, now=at)]


def _recorded(row: ContactRestriction) -> RecordedRestriction:
    return RecordedRestriction(
        id=row.pk, kind=RestrictionKind(row.kind), starts_at=row.starts_at, lifted_at=row.lifted_at
    )


def restriction_check(
    *,
    case: Case,
    channel: Channel | str,
    now: datetime,
    at_work: bool = False,
    to_representative: bool = False,
) -> list[RestrictionHit]:
    """The restrictions in force at `now` that forbid the business contacting the
    customer of `case` by `channel` (empty: none does). A read, to show a warning before
    the form is sent; the services that log a contact or send a message enforce the same
    rules themselves (`plaint.cases.contact_restrictions`). Inbound contacts are never
    restricted."""
    try:
        attempt = ContactAttempt(
            Channel(channel), at_work=at_work, to_representative=to_representative
        )
    except ValueError:
        raise DomainError(f"{str(channel)[:40]!r} is not a contact channel.") from None
    rows = {row.pk: row for row in restrictions_in_force(case=case, now=now)}
    recorded = [_recorded(row) for row in rows.values()]
    return [
        RestrictionHit(rows[hit.restriction.id], hit.reason)
        for hit in forbidding(recorded, attempt, now)
    ]


def case_disputes(*, case: Case) -> list[Dispute]:
    return list(
        Dispute.objects.filter(organisation_id=case.organisation_id, case=case)
        .select_related("evidence")
        .order_by("logged_at", "id")
    )


def dispute_get(*, case: Case, dispute_id: int) -> Dispute:
    found = Dispute.objects.filter(organisation_id=case.organisation_id, case=case, pk=dispute_id)
    dispute = found.first()
    if dispute is None:
        raise DomainError(f"{case.reference} has no dispute #{dispute_id}.")
    return dispute


def restriction_get(*, case: Case, restriction_id: int) -> ContactRestriction:
    row = ContactRestriction.objects.filter(
        organisation_id=case.organisation_id, case=case, pk=restriction_id
    ).first()
    if row is None:
        raise DomainError(f"{case.reference} has no contact restriction #{restriction_id}.")
    return row


def disputes_due(
    *, organisation: Organisation, today: date, within_days: int = 14
) -> QuerySet[Dispute]:
    """Undecided disputes whose reply deadline is overdue or within `within_days`,
    soonest first."""
    return (
        Dispute.objects.filter(
            organisation=organisation,
            decision="",
            deadline__lte=today + timedelta(days=within_days),
        )
        .select_related("case")
        .order_by("deadline", "id")
    )


def fos_eligibility_get(*, case: Case) -> FosEligibility | None:
    return FosEligibility.objects.filter(organisation_id=case.organisation_id, case=case).first()


_FACT_MILESTONES = {
    "final_response_sent": "final_response",
    "summary_resolution_sent": "summary_resolution",
    "deadlock_letter_sent": "deadlock",
    "holding_response_sent": "holding_response",
}


def referral_facts(*, case: Case) -> ReferralFacts:
    """The dates a referral window counts from, read from the case's milestones (the
    first of each), in the organisation's time zone."""
    zone = ZoneInfo(case.organisation.time_zone)
    found: dict[str, date] = {}
    rows = CaseEvent.objects.filter(
        organisation_id=case.organisation_id, case=case, kind=EventKind.MILESTONE_RECORDED
    ).order_by("seq")
    for payload in rows.values_list("payload", flat=True):
        data = json.loads(payload)
        name = _FACT_MILESTONES.get(data.get("milestone", ""))
        if name and name not in found:
            found[name] = datetime.fromisoformat(data["at"]).astimezone(zone).date()
    return ReferralFacts(complaint=case.received_at.astimezone(zone).date(), **found)


def referral_option(*, case: Case, today: date) -> ReferralWindow:
    """Where the customer of `case` may refer it, from when and by when. Raises
    UnknownReferralRegime for a regime that has no ombudsman or ADR route."""
    rule = referral_rule(case.regime)
    try:
        org = case.organisation
        calendar = calendars_for(org)(org.holiday_calendar)  # public holidays, as DISP counts
    except (UnknownCalendar, DomainError):
        calendar = None
    return referral_window(rule, referral_facts(case=case), today=today, calendar=calendar)


def referral_option_or_none(*, case: Case, today: date) -> ReferralWindow | None:
    try:
        return referral_option(case=case, today=today)
    except UnknownReferralRegime:
        return None


_DECISION_ACTIONS = {
    "comply": "We will do what your letter asks",
    "comply_in_part": "We will do part of what your letter asks",
    "dispute": "We do not accept what your letter asks",
}


def reply_fields(*, dispute: Dispute) -> dict[str, object]:
    """The fields of the `cease-and-desist-reply` letter the dispute's record supplies:
    their letter (sender, date, reference, demand), what was investigated (the conduct
    identified and the records checked) and what will be done (the decision and its
    reasons). Only what the record says; raises DomainError while the investigation or the
    decision is missing."""
    if not dispute.findings or not dispute.decision:
        raise DomainError(
            "Record the investigation and the decision before drafting the reply: the letter "
            "says what was investigated and what will be done."
        )
    checked = ", ".join(dispute.records_checked)
    investigating = (dispute.conduct + " " if dispute.conduct else "") + (
        f"We have checked these records: {checked}. What we found: {dispute.findings}"
    )
    values: dict[str, object] = {
        "letter.their_sender": dispute.sender,
        "letter.their_letter_date": dispute.letter_date,
        "letter.their_demand": dispute.demands,
        "letter.investigating": investigating,
        "letter.actions": f"{_DECISION_ACTIONS[dispute.decision]}: {dispute.decision_reasons}",
        "letter.respond_by": dispute.deadline,
    }
    if dispute.their_reference:
        values["letter.their_reference"] = dispute.their_reference
    return values


def case_cease_desists_sent(*, case: Case) -> list[CeaseDesistSent]:
    return list(
        CeaseDesistSent.objects.filter(organisation_id=case.organisation_id, case=case).order_by(
            "sent_on", "id"
        )
    )


def cease_desist_sent_get(*, case: Case, sent_id: int) -> CeaseDesistSent:
    row = CeaseDesistSent.objects.filter(
        organisation_id=case.organisation_id, case=case, pk=sent_id
    ).first()
    if row is None:
        raise DomainError(f"{case.reference} has no cease-and-desist sent #{sent_id}.")
    return row


def case_jurisdiction(case: Case) -> str:
    """US, GB, EU from the case's regime, else the organisation's country (OTHER if it is
    none of them)."""
    prefix = case.regime.split("-", 1)[0] if case.regime else ""
    found = {"UK": "GB", "US": "US", "EU": "EU"}.get(prefix)
    if found:
        return found
    country = case.organisation.country.upper()
    return country if country in {"US", "GB"} else "OTHER"


def case_next_steps(
    *, case: Case, side: str = "customer", arbitration_clause: bool = False
) -> list[Step]:
    """What next for the case's customer (or, `side="business"`, for the business whose
    own letter went unanswered), from the case record and its latest cease-and-desist."""
    sent = case_cease_desists_sent(case=case)
    last = sent[-1] if sent else None
    received = case_disputes(case=case)
    business = case.respondent or case.organisation.name
    facts: dict[str, object] = {
        "business": business,
        "other_party": business if side == "customer" else case.customer.name,
        "reference": case.reference,
        "product": case.product,
        "description": case.description,
        "desired_resolution": case.desired_resolution,
        "account_number": case.account_number or case.order_number,
        "occurred_on": case.occurred_on,
        "amount": f"{case.currency} {case.amount_in_dispute}" if case.amount_in_dispute else "",
    }
    if last is not None:
        facts["first_letter_date"] = last.sent_on
        facts["conduct"] = last.conduct
        facts["history"] = (
            f"I sent a cease-and-desist letter on {last.sent_on:%-d %B %Y}"
            + (f" (tracking number {last.tracking_number})" if last.tracking_number else "")
            + f" asking for it to stop by {last.comply_by:%-d %B %Y}"
            + ("; it did not stop." if last.stopped is False else ".")
        )
    elif received and side == "business":
        facts["first_letter_date"] = received[-1].letter_date
    return next_steps(
        side=side,
        jurisdiction=case_jurisdiction(case),
        problem=REGIME_PROBLEMS.get(case.regime, Problem.OTHER).value,
        facts=facts,
        arbitration_clause=arbitration_clause,
    )


@dataclass(frozen=True)
class EightWeekLetter:
    """The 8-week letter a case is due: which letter of the catalogue, the values the
    prompt fills in (only choices that follow from the deadline having passed), and the
    deadline that passed. Everything else the letter says (progress, the reason for the
    delay, when a final response is expected, the business's position, the scheme's
    name) is not in the record, so the letter form asks for it and refuses to keep the
    letter until it is given."""

    letter: str
    fields: dict[str, str]
    due_at: datetime
    title: str


#: Per regime: its final-response deadline, the letter that answers it when the deadline
#: passes without a final response, the values that follow from the deadline having passed,
#: and the milestones that, once recorded, mean no 8-week letter is due. FCA: DISP 1.6.2R(2)
#: (the written response after 8 weeks, which tells the customer they may now go to the
#: ombudsman). Ofcom GC C4 and the 2008 energy standards: the 8-week ADR letter.
_EIGHT_WEEK: dict[str, tuple[str, dict[str, str], frozenset[str]]] = {
    "UK-FCA-DISP/final-response": (
        "holding-response",
        {"letter.fos_referral_now": "yes"},
        frozenset({"final_response_sent", "delay_response_sent"}),
    ),
    "UK-OFCOM/adr-letter": (
        "deadlock-letter",
        {"letter.adr_letter_type": "eight_weeks"},
        frozenset({"deadlock_letter_sent"}),
    ),
    "UK-OFGEM/eight-week-letter": (
        "deadlock-letter",
        {"letter.adr_letter_type": "eight_weeks"},
        frozenset({"deadlock_letter_sent"}),
    ),
}


def eight_week_letter_due(*, case: Case, now: datetime) -> EightWeekLetter | None:
    """The 8-week letter the case is due at `now`, or None: due from the moment its
    regime's final-response deadline passes (`due_at <= now`, whether or not the deadline
    watch has recorded the breach yet) while the case is open and none of the milestones
    that answer the deadline (a final response, the 8-week letter itself) is recorded."""
    if case.status in {"closed", "withdrawn"}:
        return None
    row = (
        CaseDeadline.objects.filter(
            case=case,
            key__in=list(_EIGHT_WEEK),
            due_at__lte=now,
            state__in=[CaseDeadline.State.OPEN, CaseDeadline.State.MISSED],
        )
        .order_by("due_at")
        .first()
    )
    if row is None or row.due_at is None:
        return None
    letter, fields, answered_by = _EIGHT_WEEK[row.key]
    recorded = CaseEvent.objects.filter(
        organisation_id=case.organisation_id, case=case, kind=EventKind.MILESTONE_RECORDED
    ).values_list("payload", flat=True)
    if any(json.loads(p).get("milestone") in answered_by for p in recorded):
        return None
    return EightWeekLetter(letter=letter, fields=dict(fields), due_at=row.due_at, title=row.title)
