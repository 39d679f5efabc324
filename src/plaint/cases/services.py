"""Every write to a case. Each service is keyword-only, runs in one transaction, locks the
case, checks the domain's rules, and appends exactly one ledger event.

Callers pass `now` (an aware datetime): the services never read the clock themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.cases import evidence_store, quotas, search, taxonomy
from plaint.cases.contact_restrictions import contact_restrictions_enforce
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import (
    Case,
    CaseEvent,
    Contact,
    Customer,
    Evidence,
    ReferenceSequence,
    ResolutionOffer,
)
from plaint.domain import contactpoints
from plaint.domain import events as ev
from plaint.domain.collision import Change, collision_check
from plaint.domain.deadlines.milestones import DERIVED, MILESTONES
from plaint.domain.deadlines.regimes import UnknownRegime, regime_get
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus, check_transition
from plaint.domain.money import MoneyError, money_parse
from plaint.domain.references import format_reference
from plaint.domain.vocabulary import (
    ActorKind,
    Channel,
    Direction,
    Outcome,
    Priority,
    RedressKind,
    Visibility,
)

MAX_TEXT = 100_000  # characters in one free-text field


def require_aware(**values: datetime | None) -> None:
    """Refuse naive datetimes, naming each field."""
    naive = [name for name, value in values.items() if value is not None and value.tzinfo is None]
    if naive:
        raise FieldErrors(dict.fromkeys(naive, "must be a timezone-aware date and time"))


def _enum(errors: dict[str, str], field: str, enum: type[StrEnum], value: str) -> str:
    try:
        return str(enum(value).value)
    except ValueError:
        options = ", ".join(member.value for member in enum)
        errors[field] = f"{value!r} is not one of: {options}"
        return value


def _money(errors: dict[str, str], field: str, amount: Decimal | str | None) -> Decimal | None:
    """`money_parse` (226 -> 226.00, as money is written), its refusal kept in `errors`."""
    try:
        return money_parse(amount, strip_symbols=False)
    except MoneyError as exc:
        errors[field] = exc.message
        return None


def _currency(errors: dict[str, str], field: str, currency: str, amount: Decimal | None) -> str:
    code = currency.strip().upper()
    if amount is not None and not (len(code) == 3 and code.isalpha()):
        errors[field] = "an amount needs a three-letter ISO 4217 currency code, e.g. GBP"
    return code


def _text(
    errors: dict[str, str],
    field: str,
    value: str,
    *,
    required: bool = False,
    max_length: int = MAX_TEXT,
) -> str:
    text = value.strip()
    if required and not text:
        errors[field] = "is required"
    if len(text) > max_length:
        errors[field] = f"is longer than {max_length:,} characters ({len(text):,})"
    if "\x00" in text:
        errors[field] = "contains a NUL character"
    return text


def _full_clean(instance: Any, prefix: str = "", **options: Any) -> None:
    """Run the model's own field checks (lengths, e-mail syntax) and report them as
    FieldErrors, like every other input problem."""
    try:
        instance.full_clean(**options)
    except ValidationError as exc:
        raise FieldErrors(
            {f"{prefix}{field}": " ".join(messages) for field, messages in exc.message_dict.items()}
        ) from None


def case_lock(case: Case) -> Case:
    """Reload the case under a row lock so its ledger head cannot move under us. Every
    service that appends to a case's ledger calls this first."""
    return Case.objects.select_for_update().get(pk=case.pk)


@contextmanager
def case_at_version(*, case: Case, version: int | None, now: datetime) -> Iterator[Case]:
    """Run the change made inside this block only if the case is still at `version` (the
    version the form was rendered at): otherwise raise `StaleForm` naming what changed,
    who changed it and when, and write nothing. `None` (a caller that sends no version)
    checks nothing. The block runs in one transaction with the case locked."""
    with transaction.atomic():
        locked = case_lock(case)
        if version is not None:
            newer = CaseEvent.objects.filter(case=locked, seq__gt=version).order_by("seq")
            collision_check(
                reference=locked.reference,
                rendered=version,
                current=locked.ledger_length,
                changes=[
                    Change(
                        e.seq,
                        e.kind,
                        e.actor_label,
                        e.recorded_at,
                        e.actor_kind == ActorKind.SYSTEM,
                    )
                    for e in newer
                ],
                now=now,
            )
        yield locked


def _status_move(
    *,
    case: Case,
    target: CaseStatus,
    payload: ev.Payload,
    actor: Actor,
    now: datetime,
    changed: tuple[str, ...] = (),
    visibility: Visibility | str = Visibility.CUSTOMER,
) -> None:
    """Set the case's status and record `payload` in one event (visible to the customer
    unless `visibility` says otherwise)."""
    try:
        seen = Visibility(visibility)
    except ValueError:
        options = ", ".join(v.value for v in Visibility)
        raise FieldErrors({"visibility": f"{visibility!r} is not one of: {options}"}) from None
    case.status = target.value
    event_append(
        case=case,
        payload=payload,
        actor=actor,
        now=now,
        changed=("status", *changed),
        visibility=seen,
    )


def reference_allocate(*, organisation: Organisation, year: int, count: int = 1) -> list[str]:
    """Hand out `count` new references for `year`, in the caller's transaction."""
    sequence, _ = ReferenceSequence.objects.select_for_update().get_or_create(
        organisation=organisation, year=year
    )
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [
        format_reference(organisation.reference_prefix, year, n)
        for n in range(first, first + count)
    ]


@dataclass(frozen=True)
class CustomerDetails:
    name: str
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    preferred_contact_times: str = ""
    vulnerability_notes: str = ""


def _contact_point(
    errors: dict[str, str],
    field: str,
    kind: contactpoints.Kind,
    value: str,
    *,
    country: str,
    required: bool = False,
) -> str:
    """`value` cleaned by the contact-point rules; a refusal is recorded under `field`."""
    try:
        text = contactpoints.contact_point_clean(kind, value, country=country)
    except contactpoints.ContactPointError as exc:
        errors[field] = exc.message
        return value.strip()
    if required and not text:
        errors[field] = "is required"
    return text


def customer_details_check(
    details: CustomerDetails, *, country: str, prefix: str = "customer."
) -> tuple[CustomerDetails, dict[str, str]]:
    """The customer's details cleaned by the contact-point rules (the phone in E.164 read
    as a number of `country`, the e-mail normalised), and the problems by field."""
    errors: dict[str, str] = {}
    kind = contactpoints.Kind
    cleaned = CustomerDetails(
        name=_contact_point(
            errors, f"{prefix}name", kind.NAME, details.name, country=country, required=True
        ),
        email=_contact_point(errors, f"{prefix}email", kind.EMAIL, details.email, country=country),
        phone=_contact_point(errors, f"{prefix}phone", kind.PHONE, details.phone, country=country),
        postal_address=_contact_point(
            errors, f"{prefix}postal_address", kind.ADDRESS, details.postal_address, country=country
        ),
        preferred_contact_times=_text(
            errors,
            f"{prefix}preferred_contact_times",
            details.preferred_contact_times,
            max_length=200,
        ),
        vulnerability_notes=_text(
            errors, f"{prefix}vulnerability_notes", details.vulnerability_notes
        ),
    )
    return cleaned, errors


def customer_create(
    *, organisation: Organisation, details: CustomerDetails, now: datetime
) -> Customer:
    """Record a customer. Names, phones, e-mail and postal addresses follow
    `plaint.domain.contactpoints`; anything refused raises `FieldErrors`, writing nothing."""
    details, errors = customer_details_check(details, country=organisation.country)
    if errors:
        raise FieldErrors(errors)
    customer = Customer(
        organisation=organisation,
        name=details.name,
        email=details.email,
        phone=details.phone,
        postal_address=details.postal_address,
        preferred_contact_times=details.preferred_contact_times,
        vulnerability_notes=details.vulnerability_notes,
        created_at=now,
    )
    _full_clean(customer, "customer.", exclude=["organisation"])
    customer.save()
    return customer


@transaction.atomic
def case_open(
    *,
    organisation: Organisation,
    customer: Customer | CustomerDetails,
    channel: Channel | str,
    received_at: datetime,
    description: str,
    actor: Actor,
    now: datetime,
    product: str = "",
    issue: str = "",
    respondent: str = "",
    order_number: str = "",
    account_number: str = "",
    amount_in_dispute: Decimal | str | None = None,
    currency: str = "",
    occurred_on: date | None = None,
    desired_resolution: str = "",
    regime: str = "",
    category: str = "",
    priority: Priority | str = Priority.NORMAL,
    visibility: Visibility = Visibility.CUSTOMER,
) -> Case:
    """Open a case for a new complaint and record `case_opened`."""
    require_aware(received_at=received_at, now=now)
    errors: dict[str, str] = {}
    channel_value = _enum(errors, "channel", Channel, channel)
    priority_value = _enum(errors, "priority", Priority, priority)
    description = _text(errors, "description", description, required=True)
    desired_resolution = _text(errors, "desired_resolution", desired_resolution)
    amount = _money(errors, "amount_in_dispute", amount_in_dispute)
    currency = _currency(errors, "currency", currency, amount)
    if received_at > now:
        errors["received_at"] = "is in the future"
    if occurred_on is not None and occurred_on > received_at.date():
        errors["occurred_on"] = "is after the complaint was received"
    if regime.strip():
        try:
            regime_get(regime.strip())
        except UnknownRegime as exc:
            errors["regime"] = exc.message
    respondent = _contact_point(
        errors, "respondent", contactpoints.Kind.NAME, respondent, country=organisation.country
    )
    if isinstance(customer, Customer) and customer.organisation_id != organisation.pk:
        errors["customer"] = "belongs to another organisation"
    if isinstance(customer, CustomerDetails):
        customer, customer_errors = customer_details_check(customer, country=organisation.country)
        errors.update(customer_errors)
    if errors:
        raise FieldErrors(errors)
    if isinstance(customer, CustomerDetails):
        customer = customer_create(organisation=organisation, details=customer, now=now)
    year = received_at.astimezone(ZoneInfo(organisation.time_zone)).year
    (reference,) = reference_allocate(organisation=organisation, year=year)
    values: dict[str, Any] = {
        "organisation_id": organisation.pk,
        "reference": reference,
        "customer_id": customer.pk,
        "channel": channel_value,
        "received_at": received_at,
        "product": product.strip(),
        "issue": issue.strip(),
        "respondent": respondent,
        "order_number": order_number.strip(),
        "account_number": account_number.strip(),
        "amount_in_dispute": amount,
        "currency": currency,
        "occurred_on": occurred_on,
        "description": description,
        "desired_resolution": desired_resolution,
        "regime": regime.strip(),
        "category": category.strip(),
        "priority": priority_value,
        "status": CaseStatus.RECEIVED.value,
        "created_at": now,
        "updated_at": now,
    }
    case = Case(**values)
    _full_clean(case, exclude=["organisation", "customer", "assignee"], validate_constraints=False)
    case.save(force_insert=True)
    event_append(
        case=case,
        payload=opened_payload(values, customer_name=customer.name),
        actor=actor,
        now=now,
        occurred_at=received_at,
        visibility=visibility,
    )
    body = search.case_text_of(case, customer_name=customer.name)
    search.search_index(case=case, source=search.Source.CASE, body=body)
    return case


def opened_payload(
    values: Mapping[str, Any], *, customer_name: str, source_details: dict[str, str] | None = None
) -> ev.CaseOpened:
    """The `case_opened` snapshot of a case, from its column values (by attname). Used by
    `case_open` and by bulk imports, so both record the same snapshot."""
    amount = values.get("amount_in_dispute")
    occurred_on = values.get("occurred_on")
    return ev.CaseOpened(
        reference=values["reference"],
        status=values["status"],
        channel=values["channel"],
        received_at=values["received_at"].isoformat(),
        customer_name=customer_name,
        product=values.get("product", ""),
        issue=values.get("issue", ""),
        respondent=values.get("respondent", ""),
        order_number=values.get("order_number", ""),
        account_number=values.get("account_number", ""),
        amount_in_dispute=None if amount is None else str(amount),
        currency=values.get("currency", ""),
        occurred_on=occurred_on.isoformat() if occurred_on else None,
        description=values["description"],
        desired_resolution=values.get("desired_resolution", ""),
        regime=values.get("regime", ""),
        category=values.get("category", ""),
        priority=values.get("priority", "normal"),
        source=values.get("source", ""),
        external_id=values.get("external_id", ""),
        source_details=source_details or {},
    )


@transaction.atomic
def case_contact_log(
    *,
    case: Case,
    contact_at: datetime,
    channel: Channel | str,
    direction: Direction | str,
    actor: Actor,
    now: datetime,
    representative: str = "",
    ticket_number: str = "",
    wait_minutes: int | None = None,
    summary: str = "",
    summary_visibility: Visibility | str = Visibility.INTERNAL,
    visibility: Visibility | str = Visibility.CUSTOMER,
    confirmed_despite_restriction: bool = False,
    confirmed_by: str = "",
) -> Contact:
    """Log one contact (a call, email, chat, letter, visit) with who, when and how long.

    `visibility` is the event's: by default the customer sees that the contact happened.
    `summary_visibility` is the summary's: internal by default (staff's note of a call),
    so the customer sees "a phone call on 2 March" without it.

    An outbound contact that a contact restriction in force at `contact_at` forbids is
    refused (`ContactRestricted`, nothing written) unless `confirmed_despite_restriction`
    with `confirmed_by` (who confirmed it): the override is kept in the `contact_logged`
    event. Inbound contacts are never restricted."""
    require_aware(contact_at=contact_at, now=now)
    errors: dict[str, str] = {}
    channel_value = _enum(errors, "channel", Channel, channel)
    direction_value = _enum(errors, "direction", Direction, direction)
    summary_visibility_value = _enum(errors, "summary_visibility", Visibility, summary_visibility)
    visibility_value = _enum(errors, "visibility", Visibility, visibility)
    summary = _text(errors, "summary", summary)
    representative = _contact_point(
        errors,
        "representative",
        contactpoints.Kind.NAME,
        representative,
        country=case.organisation.country,
    )
    ticket_number = _text(errors, "ticket_number", ticket_number, max_length=100)
    if wait_minutes is not None and not 0 <= wait_minutes <= 24 * 60:
        errors["wait_minutes"] = "must be between 0 and 1440 minutes"
    if contact_at > now:
        errors["contact_at"] = "is in the future"
    if errors:
        raise FieldErrors(errors)
    if visibility_value == Visibility.INTERNAL:
        summary_visibility_value = Visibility.INTERNAL.value  # hidden with its event
    case = case_lock(case)
    override = None
    if direction_value == Direction.OUTBOUND:
        override = contact_restrictions_enforce(
            case=case,
            channel=Channel(channel_value),
            at=contact_at,
            doing="contact not logged",
            confirmed_despite_restriction=confirmed_despite_restriction,
            confirmed_by=confirmed_by,
        )
    contact = Contact.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        contact_at=contact_at,
        channel=channel_value,
        direction=direction_value,
        representative=representative,
        ticket_number=ticket_number,
        wait_minutes=wait_minutes,
        summary=summary,
        summary_visibility=summary_visibility_value,
        logged_at=now,
    )
    payload = ev.ContactLogged(
        contact_id=contact.pk,
        contact_at=contact_at.isoformat(),
        channel=channel_value,
        direction=direction_value,
        representative=contact.representative,
        ticket_number=contact.ticket_number,
        wait_minutes=wait_minutes,
        summary=summary,
        summary_visibility=summary_visibility_value,
        restriction_override=override,
    )
    event_append(
        case=case,
        payload=payload,
        actor=actor,
        now=now,
        occurred_at=contact_at,
        visibility=Visibility(visibility_value),
    )
    search.search_index(case=case, source=search.Source.CONTACT, body=summary)
    return contact


@transaction.atomic
def case_note_add(
    *,
    case: Case,
    text: str,
    actor: Actor,
    now: datetime,
    visibility: Visibility = Visibility.INTERNAL,
) -> CaseEvent:
    """Add a note to the case's timeline (internal unless said otherwise)."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, required=True)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    event = event_append(
        case=case, payload=ev.NoteAdded(text=text), actor=actor, now=now, visibility=visibility
    )
    search.search_index(case=case, source=search.Source.NOTE, body=text)
    return event


@transaction.atomic
def case_evidence_attach(
    *,
    case: Case,
    filename: str,
    stream: BinaryIO,
    actor: Actor,
    now: datetime,
    content_type: str = "",
    description: str = "",
    visibility: Visibility = Visibility.INTERNAL,
) -> Evidence:
    """Store a file content-addressed and attach it to the case. Files over the size limit,
    or of a type not accepted, are refused with the reason and nothing is recorded. The
    event is internal unless said otherwise (the customer's own uploads are theirs to see)."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    description = _text(errors, "description", description, max_length=500)
    if errors:
        raise FieldErrors(errors)
    stored = evidence_store.blob_put(stream=stream, filename=filename, content_type=content_type)
    case = case_lock(case)
    quotas.evidence_quota_take(
        case=case, actor=actor, name=stored.filename, size=stored.size, now=now
    )
    evidence = Evidence.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        description=description,
        uploaded_at=now,
    )
    payload = ev.EvidenceAttached(
        evidence_id=evidence.pk,
        sha256=stored.sha256,
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        description=evidence.description,
    )
    event_append(case=case, payload=payload, actor=actor, now=now, visibility=visibility)
    return evidence


@transaction.atomic
def case_assign(*, case: Case, assignee: User | None, actor: Actor, now: datetime) -> Case:
    """Assign the case to a member of staff of the same organisation (or unassign it)."""
    require_aware(now=now)
    case = case_lock(case)
    if assignee is not None and (
        assignee.organisation_id != case.organisation_id or not assignee.is_active
    ):
        raise FieldErrors({"assignee": "is not active staff of this case's organisation"})
    previous = case.assignee
    if (previous.pk if previous else None) == (assignee.pk if assignee else None):
        raise DomainError(
            f"{case.reference} is already assigned to "
            f"{previous.display_name if previous else 'nobody'}."
        )
    case.assignee = assignee
    payload = ev.CaseAssigned(
        assignee_id=assignee.pk if assignee else None,
        assignee_name=assignee.display_name if assignee else "",
        previous_assignee_id=previous.pk if previous else None,
        previous_assignee_name=previous.display_name if previous else "",
    )
    event_append(case=case, payload=payload, actor=actor, now=now, changed=["assignee"])
    return case


@transaction.atomic
def case_transition(
    *,
    case: Case,
    to: CaseStatus | str,
    actor: Actor,
    now: datetime,
    reason: str = "",
    visibility: Visibility | str = Visibility.CUSTOMER,
) -> Case:
    """Move the case to another status, if the lifecycle allows it."""
    require_aware(now=now)
    case = case_lock(case)
    target = check_transition(case.status, to)
    if target is CaseStatus.CLOSED:
        raise DomainError("Closing a case records its outcome and root cause: use case_close.")
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason)
    if errors:
        raise FieldErrors(errors)
    payload = ev.StatusChanged(from_status=case.status, to_status=target.value, reason=reason)
    _status_move(
        case=case, target=target, payload=payload, actor=actor, now=now, visibility=visibility
    )
    return case


@transaction.atomic
def case_offer_record(
    *,
    case: Case,
    redress: RedressKind | str,
    actor: Actor,
    now: datetime,
    amount: Decimal | str | None = None,
    currency: str = "",
    description: str = "",
    visibility: Visibility | str = Visibility.CUSTOMER,
) -> ResolutionOffer:
    """Record an offer of redress; the case moves to `resolution_proposed`."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    redress_value = _enum(errors, "redress", RedressKind, redress)
    value = _money(errors, "amount", amount)
    currency = _currency(errors, "currency", currency, value)
    description = _text(errors, "description", description)
    if redress_value in {RedressKind.REFUND, RedressKind.CREDIT} and value is None:
        errors.setdefault("amount", f"a {redress_value} needs an amount")
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    if ResolutionOffer.objects.filter(case=case, answer=ResolutionOffer.Answer.PENDING).exists():
        raise DomainError(
            f"{case.reference} already has an offer awaiting the customer's "
            "answer; record that answer first."
        )
    from_status = case.status
    if from_status != CaseStatus.RESOLUTION_PROPOSED:
        check_transition(from_status, CaseStatus.RESOLUTION_PROPOSED)
    offer = ResolutionOffer.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        redress=redress_value,
        amount=value,
        currency=currency,
        description=description,
        offered_at=now,
    )
    payload = ev.ResolutionOffered(
        offer_id=offer.pk,
        redress=redress_value,
        amount=None if value is None else str(value),
        currency=currency,
        description=description,
        from_status=from_status,
        to_status=CaseStatus.RESOLUTION_PROPOSED.value,
    )
    _status_move(
        case=case,
        target=CaseStatus.RESOLUTION_PROPOSED,
        payload=payload,
        actor=actor,
        now=now,
        visibility=visibility,
    )
    return offer


@transaction.atomic
def case_offer_answer(
    *,
    offer: ResolutionOffer,
    accepted: bool,
    actor: Actor,
    now: datetime,
    comment: str = "",
    visibility: Visibility | str = Visibility.CUSTOMER,
) -> ResolutionOffer:
    """Record the customer's answer: acceptance resolves the case, rejection sends it back
    to investigation."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    comment = _text(errors, "comment", comment)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(offer.case)
    offer = ResolutionOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.answer != ResolutionOffer.Answer.PENDING:
        raise DomainError(f"This offer was already {offer.answer}.")
    target = check_transition(
        case.status, CaseStatus.RESOLVED if accepted else CaseStatus.INVESTIGATING
    )
    offer.answer = ResolutionOffer.Answer.ACCEPTED if accepted else ResolutionOffer.Answer.REJECTED
    offer.answer_comment = comment
    offer.answered_at = now
    offer.save(update_fields=["answer", "answer_comment", "answered_at"])
    payload = ev.ResolutionAnswered(
        offer_id=offer.pk,
        accepted=accepted,
        comment=comment,
        from_status=case.status,
        to_status=target.value,
    )
    _status_move(
        case=case, target=target, payload=payload, actor=actor, now=now, visibility=visibility
    )
    return offer


@transaction.atomic
def case_priority_set(
    *, case: Case, priority: Priority | str, actor: Actor, now: datetime, reason: str = ""
) -> Case:
    require_aware(now=now)
    errors: dict[str, str] = {}
    value = _enum(errors, "priority", Priority, priority)
    reason = _text(errors, "reason", reason)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    if case.priority == value:
        raise DomainError(f"{case.reference} already has priority {value}.")
    payload = ev.PriorityChanged(from_priority=case.priority, to_priority=value, reason=reason)
    case.priority = value
    event_append(case=case, payload=payload, actor=actor, now=now, changed=["priority"])
    return case


@transaction.atomic
def case_milestone_record(
    *, case: Case, milestone: str, at: datetime, actor: Actor, now: datetime, note: str = ""
) -> CaseEvent:
    """Record a dated fact that starts, pauses or meets deadlines ("goods delivered",
    "final response sent"...). Only scheduled milestones may lie in the future."""
    require_aware(at=at, now=now)
    errors: dict[str, str] = {}
    known = MILESTONES.get(milestone)
    if known is None or milestone in DERIVED:
        options = ", ".join(sorted(set(MILESTONES) - DERIVED))
        errors["milestone"] = f"{milestone!r} is not a milestone that can be recorded ({options})"
    elif at > now and not known.scheduled:
        errors["at"] = "is in the future; only scheduled milestones may be"
    note = _text(errors, "note", note, max_length=500)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    payload = ev.MilestoneRecorded(milestone=milestone, at=at.isoformat(), note=note)
    return event_append(case=case, payload=payload, actor=actor, now=now, occurred_at=min(at, now))


@transaction.atomic
def case_close(
    *,
    case: Case,
    outcome: Outcome | str,
    actor: Actor,
    now: datetime,
    root_cause_code: str = "",
    root_cause: str = "",
    summary: str = "",
    visibility: Visibility | str = Visibility.CUSTOMER,
) -> Case:
    """Close a resolved or withdrawn case with its coded outcome and root cause (a code of
    the organisation's taxonomy, `plaint.cases.taxonomy`); `root_cause` is the free-text
    detail."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    outcome_value = _enum(errors, "outcome", Outcome, outcome) if outcome else ""
    if not outcome_value:
        errors["outcome"] = "is required: choose upheld, partly upheld or not upheld"
    code = root_cause_code.strip()
    options = taxonomy.root_causes(organisation=case.organisation)
    if not code:
        errors["root_cause_code"] = "is required: choose a root cause"
    elif code not in {c.code for c in options}:
        listed = ", ".join(c.code for c in options)
        errors["root_cause_code"] = f"{code!r} is not one of: {listed}"
    root_cause = _text(errors, "root_cause", root_cause, max_length=300)
    summary = _text(errors, "summary", summary)
    if errors:
        raise FieldErrors(errors)
    case = case_lock(case)
    check_transition(case.status, CaseStatus.CLOSED)
    payload = ev.CaseClosed(
        outcome=outcome_value,
        root_cause=root_cause,
        summary=summary,
        from_status=case.status,
        root_cause_code=code,
    )
    case.outcome = outcome_value
    case.root_cause = root_cause
    case.root_cause_code = code
    case.closed_at = now
    _status_move(
        case=case,
        target=CaseStatus.CLOSED,
        payload=payload,
        actor=actor,
        now=now,
        changed=("outcome", "root_cause", "root_cause_code", "closed_at"),
        visibility=visibility,
    )
    return case
