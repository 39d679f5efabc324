"""What a letter is filled from when it comes from a case on the desk: the case, its
customer, contacts, evidence, offers and deadlines, read through the selectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from plaint.cases.ledger import Actor
from plaint.cases.models import Case, ResolutionOffer
from plaint.cases.selectors import case_contacts, case_evidence, case_offers
from plaint.deadlines.selectors import case_deadline_derivation
from plaint.domain.contactpoints import phone_display
from plaint.domain.letters import DeadlineInfo, LetterRequest, Side, letter_spec
from plaint.domain.vocabulary import ActorKind, RedressKind, Visibility, label


def _offer_words(offer: ResolutionOffer) -> str:
    kind = label(RedressKind(offer.redress))
    money = f" of {offer.currency} {offer.amount}" if offer.amount is not None else ""
    return f"{kind}{money}" + (f": {offer.description}" if offer.description else "")


def case_values(*, case: Case, kind: str, actor: Actor) -> dict[str, Any]:
    """The dotted field values the case itself supplies for letter `kind`."""
    org = case.organisation
    zone = ZoneInfo(org.time_zone)
    customer = case.customer
    spec = letter_spec(kind)
    values: dict[str, Any] = {
        "customer.name": customer.name,
        "customer.address": customer.postal_address,
        "customer.email": customer.email,
        "customer.phone": phone_display(customer.phone, country=org.country),
        "customer.best_times": customer.preferred_contact_times,
        "business.name": (case.respondent or org.name)
        if spec.side is not Side.BUSINESS
        else org.name,
        "case.reference": case.reference,
        "case.order_number": case.order_number,
        "case.account_number": case.account_number,
        "case.product": case.product,
        "case.description": case.description,
        "case.occurred_on": case.occurred_on,
        "case.amount": case.amount_in_dispute,
        "case.currency": case.currency,
        "case.desired_resolution": case.desired_resolution,
        "case.received_on": case.received_at.astimezone(zone).date(),
        "case.regime": case.regime,
    }
    if actor.user is not None:
        values["handler.name"] = actor.label
    elif case.assignee is not None:
        values["handler.name"] = case.assignee.display_name
    offers = list(case_offers(case=case))
    accepted = [o for o in offers if o.answer == ResolutionOffer.Answer.ACCEPTED]
    chosen = accepted[-1] if accepted else (offers[-1] if offers else None)
    if chosen is not None:
        values["letter.redress"] = _offer_words(chosen)
        if chosen.answered_at is not None and chosen in accepted:
            values["letter.agreed_on"] = chosen.answered_at.astimezone(zone).date()
    return {k: v for k, v in values.items() if v not in (None, "")}


def case_letter_request(
    *,
    case: Case,
    kind: str,
    actor: Actor,
    today: date,
    fields: Mapping[str, Any] | None = None,
    formats: Sequence[str] = ("md", "html", "pdf"),
    page_size: str = "A4",
) -> LetterRequest:
    """The letter request for `kind` from the case; `fields` (dotted keys, from the letter
    form) fill what the case does not hold and override what it does."""
    org = case.organisation
    values = {**case_values(case=case, kind=kind, actor=actor), **(fields or {})}
    contacts = [
        {
            "at": c.contact_at,
            "channel": c.channel,
            "direction": c.direction,
            "representative": c.representative,
            "ticket_number": c.ticket_number,
            "wait_minutes": c.wait_minutes,
            # Staff's internal note of a contact stays out of letters, which leave the
            # business; the letter still says the contact happened.
            "summary": "" if c.summary_visibility == Visibility.INTERNAL else c.summary,
        }
        for c in case_contacts(case=case)
    ]
    evidence = [
        {"description": e.description or e.filename, "filename": e.filename}
        # A letter the customer writes lists only what they may see of the file.
        for e in case_evidence(case=case, customer_view=actor.kind is ActorKind.CUSTOMER)
    ]
    deadlines = [
        DeadlineInfo(d.key, d.rule.title, d.due_date, d.rule.verification.value)
        for d in case_deadline_derivation(case=case)
        if d.met_at is None
    ]
    return LetterRequest(
        kind=kind,
        values=values,
        today=today,
        contacts=contacts,
        evidence=evidence,
        jurisdiction=org.country,
        time_zone=org.time_zone,
        holiday_calendar=org.holiday_calendar,
        deadlines=deadlines,
        page_size=page_size,
        formats=tuple(formats),
    )
