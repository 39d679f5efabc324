"""Every write to a termination. Each service is keyword-only, runs in one transaction,
locks the termination and the cases it rests on, asks the domain's guards whether the
step is allowed (a refusal names the rule and writes nothing) and appends the step's event
to every one of those cases. Callers pass `now`; nothing here reads the clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, Evidence
from plaint.cases.services import require_aware
from plaint.domain import events_termination as tev
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import Payload
from plaint.domain.termination import (
    Alternative,
    AlternativeOutcome,
    CheckFacts,
    NoticeDecision,
    NoticeFacts,
    ProductKind,
    Reason,
    Status,
    appeal_refusals,
    approval_refusals,
    check_refusals,
    notice_compute,
    proposal_refusals,
    refuse_if_any,
)
from plaint.domain.termination.schemes import ASK_US, complaint_scheme
from plaint.domain.termination.taxonomy import REVERSIBLE
from plaint.domain.vocabulary import DeliveryMethod, Visibility
from plaint.letters.services import letter_generate, letter_mark_sent, letter_withdraw
from plaint.terminations.models import (
    Termination,
    TerminationAlternative,
    TerminationSettings,
    TerminationTask,
)
from plaint.terminations.selectors import (
    record_flags,
    settings_get,
    termination_customer_open_cases,
)

MAX_TEXT = 20_000
CLOSED_STATUSES = ("closed", "withdrawn")


def _text(errors: dict[str, str], field: str, value: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = "is required"
    elif len(text) > MAX_TEXT:
        errors[field] = f"is longer than {MAX_TEXT:,} characters"
    elif "\x00" in text:
        errors[field] = "contains a NUL character"
    return text


def _enum(errors: dict[str, str], field: str, enum: Any, value: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        errors[field] = f"{value!r} is not one of: {', '.join(m.value for m in enum)}"
        return None


def _today(org: Organisation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(org.time_zone)).date()


def _lock(termination: Termination) -> tuple[Termination, list[Case]]:
    termination = (
        Termination.objects.select_for_update()
        .select_related("organisation", "customer")
        .get(pk=termination.pk)
    )
    return termination, _lock_cases(termination)


def _lock_cases(termination: Termination) -> list[Case]:
    ids = sorted(termination.cases.values_list("pk", flat=True))
    return list(Case.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _append(
    cases: Sequence[Case],
    payload: Payload,
    actor: Actor,
    now: datetime,
    visibility: Visibility = Visibility.INTERNAL,
) -> None:
    for case in cases:
        event_append(case=case, payload=payload, actor=actor, now=now, visibility=visibility)


def _status(termination: Termination, *allowed: Status, doing: str) -> None:
    if termination.status not in allowed:
        words = " or ".join(s.label.lower() for s in allowed)
        raise DomainError(
            f"Termination #{termination.pk} is {termination.status_enum.label.lower()}; "
            f"{doing} needs it to be {words}."
        )


def _save(termination: Termination, now: datetime, *fields: str) -> None:
    termination.updated_at = now
    termination.save(update_fields=[*fields, "updated_at"])


@dataclass(frozen=True)
class AlternativeTried:
    alternative: str
    outcome: str
    note: str = ""


@transaction.atomic
def termination_propose(
    *,
    organisation: Organisation,
    cases: Sequence[Case],
    reason: str,
    facts: str,
    product: str,
    alternatives: Sequence[AlternativeTried] = (),
    immediate_justification: str = "",
    evidence_ids: Sequence[int] = (),
    contract_concluded_on: date | None = None,
    actor: Actor,
    now: datetime,
) -> Termination:
    """Propose ending a customer's service: the reason (the fixed taxonomy), the facts,
    the cases and evidence it rests on and the alternatives tried first, each with its
    outcome. Refused without an alternative unless the reason allows immediate action and
    `immediate_justification` says why (Rule T1)."""
    require_aware(now=now)
    if actor.user is None:
        raise DomainError("A termination is proposed by a member of staff.")
    errors: dict[str, str] = {}
    reason_value = _enum(errors, "reason", Reason, reason)
    product_value = _enum(errors, "product", ProductKind, product)
    facts = _text(errors, "facts", facts, required=True)
    immediate_justification = _text(errors, "immediate_justification", immediate_justification)
    tried: list[tuple[Alternative, AlternativeOutcome, str]] = []
    for i, alt in enumerate(alternatives):
        a = _enum(errors, f"alternatives.{i}.alternative", Alternative, alt.alternative)
        o = _enum(errors, f"alternatives.{i}.outcome", AlternativeOutcome, alt.outcome)
        note = _text(errors, f"alternatives.{i}.note", alt.note)
        if a is not None and o is not None:
            tried.append((a, o, note))
    if not cases:
        errors["cases"] = "name at least one case the termination rests on"
    customers = {c.customer_id for c in cases}
    if any(c.organisation_id != organisation.pk for c in cases):
        errors["cases"] = "every case must belong to this organisation"
    elif len(customers) > 1:
        errors["cases"] = "the cases belong to different customers; a termination is for one"
    evidence = list(
        Evidence.objects.filter(pk__in=list(evidence_ids), case__in=[c.pk for c in cases])
    )
    if len(evidence) != len(set(evidence_ids)):
        errors["evidence"] = "every piece of evidence must belong to one of the cases"
    if errors:
        raise FieldErrors(errors)
    refuse_if_any(
        proposal_refusals(
            reason=reason_value,
            alternatives_tried=len(tried),
            immediate_justification=immediate_justification,
        )
    )
    termination = Termination.objects.create(
        organisation=organisation,
        customer_id=next(iter(customers)),
        reason=reason_value.value,
        facts=facts,
        immediate_justification="" if tried else immediate_justification,
        evidence_ids=sorted(e.pk for e in evidence),
        product=product_value.value,
        contract_concluded_on=contract_concluded_on,
        proposed_by=actor.user,
        proposed_at=now,
        updated_at=now,
    )
    termination.cases.set(cases)
    locked = _lock_cases(termination)
    _append(
        locked,
        tev.TerminationProposed(
            termination_id=termination.pk,
            reason=termination.reason,
            facts=facts,
            cases=[c.reference for c in locked],
            evidence=termination.evidence_ids,
            immediate_justification=termination.immediate_justification,
        ),
        actor,
        now,
    )
    for alternative, outcome, note in tried:
        TerminationAlternative.objects.create(
            termination=termination,
            alternative=alternative.value,
            outcome=outcome.value,
            note=note,
            recorded_by=actor.user,
            recorded_at=now,
        )
        _append(
            locked,
            tev.TerminationAlternativeRecorded(
                termination_id=termination.pk,
                alternative=alternative.value,
                outcome=outcome.value,
                note=note,
            ),
            actor,
            now,
        )
    return termination


def _check_facts(termination: Termination, cases: Sequence[Case]) -> CheckFacts:
    flags = record_flags(cases=cases)
    open_cases = termination_customer_open_cases(termination=termination)
    disputed_open = any(c.amount_in_dispute is not None for c in open_cases)
    product = ProductKind(termination.product)
    return CheckFacts(
        product=product,
        contract_clause=termination.contract_clause,
        vulnerable="vulnerability" in flags or bool(termination.customer.vulnerability_notes),
        vulnerability_steps=termination.vulnerability_steps,
        discrimination_flagged="discrimination" in flags,
        not_discriminatory_confirmed=termination.not_discriminatory_confirmed,
        legal_risk_flags=tuple(sorted(f for f in flags if f != "vulnerability")),
        legal_signed_off=termination.legal_signed_off_by_id is not None,
        open_cases=tuple(c.reference for c in open_cases),
        open_cases_note=termination.open_cases_note,
        bill_disputed=termination.bill_disputed
        or (product is ProductKind.ENERGY and disputed_open),
    )


_SIGN_OFF_RULES = ("T3f",)


def _needs_signoff(refusal: Any) -> bool:
    return refusal.rule in _SIGN_OFF_RULES or "legal reviewer" in refusal.message


@transaction.atomic
def termination_check_record(
    *,
    termination: Termination,
    contract_clause: str,
    contract_notice_days: int,
    vulnerability_steps: str = "",
    open_cases_note: str = "",
    bill_disputed: bool = False,
    not_discriminatory_confirmed: bool = False,
    actor: Actor,
    now: datetime,
) -> Termination:
    """Record the legal and contract check. Refused (naming the rule) without a clause,
    for a vulnerable customer without the extra steps, without the confirmation that no
    protected characteristic is involved, with open complaints not accounted for, and
    for energy while the bill is genuinely disputed. A legal reviewer's sign-off, where
    triage flags legal risk, may come after the check; approval needs it."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    contract_clause = _text(errors, "contract_clause", contract_clause, required=True)
    vulnerability_steps = _text(errors, "vulnerability_steps", vulnerability_steps)
    open_cases_note = _text(errors, "open_cases_note", open_cases_note)
    if not 0 <= contract_notice_days <= 3650:
        errors["contract_notice_days"] = "must be between 0 and 3650 days"
    if errors:
        raise FieldErrors(errors)
    termination, cases = _lock(termination)
    _status(termination, Status.PROPOSED, Status.CHECKED, doing="the legal check")
    termination.contract_clause = contract_clause
    termination.contract_notice_days = contract_notice_days
    termination.vulnerability_steps = vulnerability_steps
    termination.open_cases_note = open_cases_note
    termination.bill_disputed = bill_disputed
    termination.not_discriminatory_confirmed = not_discriminatory_confirmed
    facts = _check_facts(termination, cases)
    refuse_if_any([r for r in check_refusals(facts) if not _needs_signoff(r)])
    termination.status = Status.CHECKED
    termination.checked_at = now
    _save(
        termination,
        now,
        "contract_clause",
        "contract_notice_days",
        "vulnerability_steps",
        "open_cases_note",
        "bill_disputed",
        "not_discriminatory_confirmed",
        "status",
        "checked_at",
    )
    _append(
        cases,
        tev.TerminationChecked(
            termination_id=termination.pk,
            contract_clause=contract_clause,
            product=termination.product,
            vulnerable=facts.vulnerable,
            vulnerability_steps=vulnerability_steps,
            open_cases=list(facts.open_cases),
            legal_risk_flags=list(facts.legal_risk_flags),
        ),
        actor,
        now,
    )
    return termination


@transaction.atomic
def termination_legal_signoff(
    *, termination: Termination, note: str, actor: Actor, now: datetime
) -> Termination:
    """A legal reviewer signs the termination off (needed when triage flags legal risk)."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, required=True)
    if errors:
        raise FieldErrors(errors)
    if actor.user is None or not actor.user.has_perm("cases.review_legal"):
        raise DomainError("Rule T3f (legal risk): only a legal reviewer can sign off.")
    termination, cases = _lock(termination)
    _status(termination, Status.PROPOSED, Status.CHECKED, doing="a legal sign-off")
    termination.legal_signed_off_by = actor.user
    termination.legal_note = note
    _save(termination, now, "legal_signed_off_by", "legal_note")
    _append(
        cases, tev.TerminationLegalSignedOff(termination_id=termination.pk, note=note), actor, now
    )
    return termination


def _is_supervisor(user: User) -> bool:
    return bool({Role.SUPERVISOR, Role.ADMIN} & set(user.roles))


@transaction.atomic
def termination_decide(
    *, termination: Termination, approve: bool, reasons: str, actor: Actor, now: datetime
) -> Termination:
    """Four-eyes: a supervisor who did not propose it approves or refuses, with reasons
    (Rule T4). Approval re-runs every check, the legal sign-off included."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    reasons = _text(errors, "reasons", reasons, required=True)
    if errors:
        raise FieldErrors(errors)
    if actor.user is None:
        raise DomainError("Rule T4 (four-eyes approval): a supervisor decides.")
    termination, cases = _lock(termination)
    refuse_if_any(
        approval_refusals(
            proposer_id=termination.proposed_by_id,
            approver_id=actor.user.pk,
            approver_is_supervisor=_is_supervisor(actor.user),
        )
    )
    _status(termination, Status.CHECKED, doing="a decision")
    if approve:
        refuse_if_any(check_refusals(_check_facts(termination, cases)))
    termination.status = Status.APPROVED if approve else Status.REFUSED
    termination.decided_by = actor.user
    termination.decided_at = now
    termination.decision_reasons = reasons
    _save(termination, now, "status", "decided_by", "decided_at", "decision_reasons")
    _append(
        cases,
        tev.TerminationDecided(termination_id=termination.pk, approved=approve, reasons=reasons),
        actor,
        now,
    )
    return termination


def termination_notice_decision(
    *, termination: Termination, notice_on: date, effective_on: date | None = None
) -> NoticeDecision:
    """The notice rules applied to this termination (see `notice_compute`)."""
    settings: TerminationSettings = settings_get(organisation=termination.organisation)
    return notice_compute(
        NoticeFacts(
            product=ProductKind(termination.product),
            jurisdiction=termination.organisation.country,
            contract_concluded_on=termination.contract_concluded_on,
            contract_notice_days=termination.contract_notice_days,
            house_minimum_days=settings.house_minimum_days,
        ),
        notice_on=notice_on,
        effective=effective_on,
    )


#: What the notice letter says about complaining, by what the record and the rules support.
def _how_to_respond(termination: Termination, decision: NoticeDecision, reference: str) -> str:
    text = (
        f"You can complain to us about this decision: reply to this letter, quoting "
        f"{reference}, or use the link to your complaint that we sent you."
    )
    scheme = complaint_scheme(
        product=ProductKind(termination.product),
        jurisdiction=termination.organisation.country,
        case_regimes=termination.cases.values_list("regime", flat=True),
        notice_rules_apply=bool(decision.rules),
    )
    return text + (scheme.sentence if scheme is not None else ASK_US)


@transaction.atomic
def termination_notice_issue(
    *,
    termination: Termination,
    letter_case: Case,
    alternatives_offered: Sequence[str],
    reasons_stated: str,
    money_and_data: str,
    effective_on: date | None = None,
    actor: Actor,
    now: datetime,
) -> Termination:
    """Compute the effective date from the notice rules and keep the notice letter
    (`service-termination`) on `letter_case`: the specific reasons, the clause, the date,
    the alternatives offered, what happens to money and data, how to complain (and the
    ombudsman where the rules need it). Refused before approval, for a date giving too
    little notice (Rule T5), without alternatives offered or specific reasons."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    reasons_stated = _text(errors, "reasons_stated", reasons_stated, required=True)
    money_and_data = _text(errors, "money_and_data", money_and_data, required=True)
    offered = [a.strip() for a in alternatives_offered if a.strip()]
    if not offered:
        errors["alternatives_offered"] = (
            "offer the customer at least one alternative (another provider, another "
            "product, modified terms)"
        )
    if errors:
        raise FieldErrors(errors)
    termination, cases = _lock(termination)
    _status(termination, Status.APPROVED, doing="a notice")
    if termination.letter_seq is not None:
        raise DomainError(
            f"The notice letter is already kept (letter #{termination.letter_seq}); record "
            "its delivery, or withdraw the termination."
        )
    if letter_case.pk not in {c.pk for c in cases}:
        raise FieldErrors({"letter_case": "the letter goes on one of the cases behind it"})
    notice_on = _today(termination.organisation, now)
    decision = termination_notice_decision(
        termination=termination, notice_on=notice_on, effective_on=effective_on
    )
    generated = letter_generate(
        case=letter_case,
        kind="service-termination",
        actor=actor,
        now=now,
        fields={
            "letter.reasons_for_termination": reasons_stated,
            "letter.contract_clause": termination.contract_clause,
            "letter.notice_days": decision.notice_days,
            "letter.effective_date": decision.effective,
            "letter.alternatives": offered,
            "letter.how_to_respond": _how_to_respond(termination, decision, letter_case.reference),
            "letter.final_steps": money_and_data,
        },
    )
    termination.notice_on = notice_on
    termination.effective_on = decision.effective
    termination.notice_rules = [f"{r.code} {r.version}" for r in decision.rules]
    termination.alternatives_offered = offered
    termination.letter_case = letter_case
    termination.letter_seq = generated.event.seq
    _save(
        termination,
        now,
        "notice_on",
        "effective_on",
        "notice_rules",
        "alternatives_offered",
        "letter_case",
        "letter_seq",
    )
    cases = _lock_cases(termination)  # the letter moved one case's ledger head
    _append(
        cases,
        tev.TerminationNoticeIssued(
            termination_id=termination.pk,
            notice_on=notice_on.isoformat(),
            effective_on=decision.effective.isoformat(),
            rules=termination.notice_rules,
            alternatives_offered=offered,
            letter_case=letter_case.reference,
            letter_seq=generated.event.seq,
        ),
        actor,
        now,
    )
    return termination


@transaction.atomic
def termination_notice_delivered(
    *,
    termination: Termination,
    method: DeliveryMethod | str,
    sent_at: datetime,
    tracking_number: str = "",
    actor: Actor,
    now: datetime,
) -> Termination:
    """Record the notice letter's delivery (through `letter_mark_sent`, which refuses a
    method that leaves no record of its own tracking where one is needed)."""
    require_aware(now=now, sent_at=sent_at)
    termination, _ = _lock(termination)
    _status(termination, Status.APPROVED, doing="recording the notice's delivery")
    if termination.letter_case is None or termination.letter_seq is None:
        raise DomainError("Issue the notice letter before recording its delivery.")
    letter_mark_sent(
        case=termination.letter_case,
        seq=termination.letter_seq,
        method=method,
        tracking_number=tracking_number,
        sent_at=sent_at,
        actor=actor,
        now=now,
    )
    termination.status = Status.NOTICE_SENT
    _save(termination, now, "status")
    return termination


def _before_effective(termination: Termination, now: datetime, doing: str) -> None:
    today = _today(termination.organisation, now)
    if termination.effective_on is not None and today >= termination.effective_on:
        raise DomainError(
            f"Termination #{termination.pk} took effect on "
            f"{termination.effective_on.isoformat()}; {doing} must come before that date."
        )


def _withdraw_draft(termination: Termination, reason: str, actor: Actor, now: datetime) -> None:
    if termination.status == Status.APPROVED and termination.letter_seq is not None:
        assert termination.letter_case is not None
        letter_withdraw(
            case=termination.letter_case,
            seq=termination.letter_seq,
            reason=f"The termination was withdrawn: {reason}"[:500],
            actor=actor,
            now=now,
        )


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _withdrawal_letter(
    termination: Termination, reason: str, actor: Actor, now: datetime
) -> tuple[str, int | None]:
    """Keep the letter telling the customer the notice is withdrawn, when the notice had
    gone out (an unsent draft is withdrawn instead, and nobody needs telling)."""
    if termination.status not in (Status.NOTICE_SENT, Status.APPEALED):
        return "", None
    assert termination.letter_case is not None and termination.notice_on is not None
    assert termination.effective_on is not None
    words = (
        f"We wrote to you on {_day(termination.notice_on)} to say that your service "
        f"would end on {_day(termination.effective_on)}. We have withdrawn that notice: "
        f"{reason}"
    )
    generated = letter_generate(
        case=termination.letter_case,
        kind="service-termination-withdrawn",
        actor=actor,
        now=now,
        fields={"letter.reasons": words},
    )
    return termination.letter_case.reference, generated.event.seq


@transaction.atomic
def termination_reverse(
    *, termination: Termination, reason: str, actor: Actor, now: datetime
) -> Termination:
    """Withdraw the termination before its effective date, with reasons. An unsent notice
    letter is withdrawn with it."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, required=True)
    if errors:
        raise FieldErrors(errors)
    termination, _ = _lock(termination)
    _status(termination, *REVERSIBLE, doing="a reversal")
    _before_effective(termination, now, "a reversal")
    _withdraw_draft(termination, reason, actor, now)
    letter_case, letter_seq = _withdrawal_letter(termination, reason, actor, now)
    termination.status = Status.REVERSED
    termination.reversal_reason = reason
    _save(termination, now, "status", "reversal_reason")
    _append(
        _lock_cases(termination),
        tev.TerminationReversed(
            termination_id=termination.pk,
            reason=reason,
            letter_case=letter_case,
            letter_seq=letter_seq,
        ),
        actor,
        now,
        Visibility.CUSTOMER,
    )
    return termination


@transaction.atomic
def termination_appeal(
    *, termination: Termination, grounds: str, actor: Actor, now: datetime
) -> Termination:
    """The customer appeals (through the portal) before the effective date: the
    termination is paused until a supervisor reviews the appeal. One appeal per
    termination (Rule T7): a second one is refused, whatever the first one's outcome."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    grounds = _text(errors, "grounds", grounds, required=True)
    if errors:
        raise FieldErrors(errors)
    termination, cases = _lock(termination)
    if termination.appealed_at is not None and termination.status in (
        Status.NOTICE_SENT,
        Status.APPEALED,
        Status.EFFECTIVE,
    ):
        refuse_if_any(
            appeal_refusals(
                appealed_on=_today(termination.organisation, termination.appealed_at),
                reviewed=termination.status != Status.APPEALED,
            )
        )
    _status(termination, Status.NOTICE_SENT, doing="an appeal")
    _before_effective(termination, now, "an appeal")
    termination.status = Status.APPEALED
    termination.appeal_grounds = grounds
    termination.appealed_at = now
    _save(termination, now, "status", "appeal_grounds", "appealed_at")
    _append(
        cases,
        tev.TerminationAppealed(termination_id=termination.pk, grounds=grounds),
        actor,
        now,
        Visibility.CUSTOMER,
    )
    return termination


@transaction.atomic
def termination_appeal_review(
    *,
    termination: Termination,
    upheld: bool,
    note: str,
    effective_on: date | None = None,
    actor: Actor,
    now: datetime,
) -> Termination:
    """A supervisor reviews the appeal. Upheld: the termination is withdrawn. Not upheld:
    it goes on; if the paused effective date has passed, a new one (after today, and no
    earlier than the one in the notice) is required."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, required=True)
    if errors:
        raise FieldErrors(errors)
    if actor.user is None or not _is_supervisor(actor.user):
        raise DomainError("Rule T4 (four-eyes approval): only a supervisor reviews an appeal.")
    termination, cases = _lock(termination)
    _status(termination, Status.APPEALED, doing="an appeal review")
    today = _today(termination.organisation, now)
    assert termination.effective_on is not None
    new_effective = termination.effective_on
    if not upheld:
        if effective_on is not None:
            if effective_on < termination.effective_on:
                errors["effective_on"] = "cannot be earlier than the date in the notice"
            new_effective = effective_on
        if new_effective <= today:
            errors["effective_on"] = (
                f"the notice's date ({termination.effective_on.isoformat()}) passed while "
                "the appeal was paused; give a new effective date after today"
            )
        if errors:
            raise FieldErrors(errors)
    if upheld:
        _withdrawal_letter(termination, f"we have upheld your appeal. {note}", actor, now)
        cases = _lock_cases(termination)  # the letter moved one case's ledger head
    termination.appeal_note = note
    termination.status = Status.REVERSED if upheld else Status.NOTICE_SENT
    termination.effective_on = new_effective
    if upheld:
        termination.reversal_reason = f"Appeal upheld: {note}"
    _save(termination, now, "appeal_note", "status", "effective_on", "reversal_reason")
    _append(
        cases,
        tev.TerminationAppealReviewed(
            termination_id=termination.pk,
            upheld=upheld,
            note=note,
            effective_on="" if upheld else new_effective.isoformat(),
        ),
        actor,
        now,
        Visibility.CUSTOMER,
    )
    return termination


@dataclass(frozen=True)
class TickReport:
    took_effect: int
    tasks: int


def terminations_tick(*, now: datetime) -> TickReport:
    """The worker's pass: every termination whose notice went out and whose effective
    date has come (in its organisation's zone) takes effect, with its aftermath tasks.
    An appealed termination is paused and waits for its review."""
    require_aware(now=now)
    done = tasks = 0
    # No zone is more than a day ahead of UTC's date (UTC+14 at most); `now` may carry any
    # offset, so its own date can be two days behind an organisation's.
    latest = now.astimezone(UTC).date() + timedelta(days=1)
    due = (
        Termination.objects.filter(status=Status.NOTICE_SENT, effective_on__lte=latest)
        .select_related("organisation")
        .order_by("pk")
    )
    for termination in due:
        assert termination.effective_on is not None
        if _today(termination.organisation, now) >= termination.effective_on:
            tasks += _take_effect(termination=termination, now=now)
            done += 1
    return TickReport(took_effect=done, tasks=tasks)


@transaction.atomic
def _take_effect(*, termination: Termination, now: datetime) -> int:
    termination, cases = _lock(termination)
    if termination.status != Status.NOTICE_SENT:
        return 0
    assert termination.effective_on is not None
    settings = settings_get(organisation=termination.organisation)
    start = termination.effective_on
    owner = termination.decided_by
    specs = [
        (
            TerminationTask.Kind.REACTION,
            start + timedelta(days=14),
            "Handle the customer's reaction: any complaint they make about the termination "
            "is flagged on its case page; answer it as a complaint.",
        ),
        (
            TerminationTask.Kind.PERCEPTION,
            start + timedelta(days=settings.perception_window_days),
            f"Watch public reviews for {settings.perception_window_days} days after the "
            "effective date (Reputation watch) for reactions to this termination.",
        ),
        (
            TerminationTask.Kind.PRACTICE_REVIEW,
            start + timedelta(days=settings.practice_review_days),
            "Practice review: what led here, what could have prevented it, and what "
            "changes (training, policy, product).",
        ),
    ]
    for kind, due_on, detail in specs:
        TerminationTask.objects.create(
            termination=termination,
            kind=kind,
            owner=owner,
            starts_on=start,
            due_on=due_on,
            detail=detail,
        )
    termination.status = Status.EFFECTIVE
    termination.took_effect_at = now
    _save(termination, now, "status", "took_effect_at")
    _append(
        cases,
        tev.TerminationTookEffect(
            termination_id=termination.pk,
            effective_on=start.isoformat(),
            tasks=[str(k) for k, _, _ in specs],
        ),
        Actor.system(),
        now,
    )
    return len(specs)


@transaction.atomic
def termination_task_done(
    *, task: TerminationTask, outcome: str, done_on: date, actor: Actor, now: datetime
) -> TerminationTask:
    """Record an aftermath task as done, with what it found or changed."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    outcome = _text(errors, "outcome", outcome, required=True)
    if done_on > _today(task.termination.organisation, now):
        errors["done_on"] = "cannot be in the future"
    if errors:
        raise FieldErrors(errors)
    task = TerminationTask.objects.select_for_update().get(pk=task.pk)
    if task.done_on is not None:
        raise DomainError("This task is already done.")
    termination, cases = _lock(task.termination)
    task.done_on, task.outcome = done_on, outcome
    task.save(update_fields=["done_on", "outcome"])
    _append(
        cases,
        tev.TerminationTaskDone(termination_id=termination.pk, task=task.kind, outcome=outcome),
        actor,
        now,
    )
    return task
