"""Reads for the customer portal. Each one starts from a case the customer's link has
already proved they may see, and returns only what the customer may see of it: the
customer-visible timeline, the business's deadlines, the letters written by or sent to
them, the evidence they uploaded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.cases.ledger import personal_prefetch
from plaint.cases.models import Case, CaseEvent, Evidence, ResolutionOffer
from plaint.cases.selectors import (
    TimelineEntry,
    case_evidence,
    case_offers,
    case_timeline,
)
from plaint.deadlines.selectors import DeadlineView, case_deadline_views
from plaint.domain.conversation import EventFacts, Message, conversation_build, conversation_kinds
from plaint.domain.deadlines.regimes import UnknownRegime, regime_get
from plaint.domain.events import (
    ContactLogged,
    EventKind,
    ResolutionAnswered,
    ResolutionOffered,
)
from plaint.domain.letters.render import PACKAGE_TEMPLATES
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.timeline import contact_in_brief, describe, detail
from plaint.domain.vocabulary import ActorKind, Visibility
from plaint.letters.overrides import templates_dir
from plaint.letters.selectors import KeptLetter, LetterNotFound, case_letter_file, case_letters
from plaint.portal.links import link_open

#: Regimes for which the portal shows the ombudsman referral facts kept in the repo.
FOS_REGIMES = ("UK-FCA-DISP",)
FOS_RULES = ("final-response", "fos-referral")


def portal_case(*, organisation: Organisation, token: str, now: datetime) -> Case:
    """The case a customer's link opens. Raises `LinkInvalid` for anything but a genuine,
    unexpired link to a case of this organisation, `LinkExpired` for an old one and
    `LinkRetired` for a link of the old readable kind."""
    return link_open(organisation=organisation, token=token, now=now)


@dataclass(frozen=True)
class PortalEntry:
    at: datetime
    by_customer: bool
    sentence: str
    detail: str


def _portal_entry(entry: TimelineEntry, zone: ZoneInfo) -> PortalEntry:
    payload = entry.payload
    by_customer = entry.event.actor_kind == ActorKind.CUSTOMER.value
    if isinstance(payload, ContactLogged) and payload.summary_internal:
        # Staff's own note of a call: the customer sees that it happened, and when.
        on = f"{timezone.localtime(entry.event.occurred_at, zone):%d %b %Y}"
        return PortalEntry(
            entry.event.occurred_at, by_customer, contact_in_brief(payload, on=on), ""
        )
    return PortalEntry(entry.event.occurred_at, by_customer, describe(payload), detail(payload))


def customer_timeline(*, case: Case) -> list[PortalEntry]:
    """The customer-visible events of the case in words. A contact whose summary is
    internal reads "A phone call on 02 Mar 2026." with no summary."""
    zone = ZoneInfo(case.organisation.time_zone)
    return [_portal_entry(entry, zone) for entry in case_timeline(case=case, customer_view=True)]


def customer_conversation(*, case: Case) -> list[Message]:
    """The case as a conversation: the customer-visible events that carry a message
    (`plaint.domain.conversation`: notes, contacts, sent letters and whatever kinds other
    parts register), oldest first, with the files the customer attached to each reply."""
    events = CaseEvent.objects.filter(
        organisation_id=case.organisation_id,
        case=case,
        visibility=Visibility.CUSTOMER.value,
        kind__in=sorted(conversation_kinds()),
    ).order_by("seq")
    facts = (
        EventFacts(
            seq=e.seq,
            kind=e.kind,
            occurred_at=e.occurred_at,
            recorded_at=e.recorded_at,
            actor_kind=e.actor_kind,
            payload=e.data,
        )
        for e in personal_prefetch(events)
    )
    return conversation_build(facts, zone=ZoneInfo(case.organisation.time_zone))


def business_deadlines(*, case: Case, now: datetime) -> list[DeadlineView]:
    """The deadlines the business has to meet on this case."""
    return [d for d in case_deadline_views(case=case, now=now) if d.row.party == "business"]


def overdue_business_deadlines(*, case: Case, now: datetime) -> list[DeadlineView]:
    return [d for d in business_deadlines(case=case, now=now) if d.overdue]


def customer_letters(*, case: Case) -> list[KeptLetter]:
    """Letters the customer generated here, and letters the business marked as sent to
    them (`letter_mark_sent`: a `letter_sent` event the customer may see). Drafts the
    business has not sent, and letters it keeps for itself, are not shown."""
    return [
        kept
        for kept in case_letters(case=case)
        if kept.event.actor_kind == ActorKind.CUSTOMER.value
        or (kept.sent is not None and kept.sent.event.visibility == Visibility.CUSTOMER.value)
    ]


def customer_letter_pdfs(*, case: Case) -> set[int]:
    """The seqs of the letters whose PDF the customer may download."""
    return {kept.event.seq for kept in customer_letters(case=case) if kept.payload.files.get("pdf")}


def customer_letter_pdf(*, case: Case, seq: int) -> tuple[KeptLetter, bytes]:
    """The kept PDF of one letter the customer may see; `LetterNotFound` otherwise."""
    for kept in customer_letters(case=case):
        if kept.event.seq == seq:
            return kept, case_letter_file(case=case, seq=seq, fmt="pdf")
    raise LetterNotFound(f"{case.reference} has no letter #{seq} for the customer")


def customer_evidence(*, case: Case) -> list[Evidence]:
    """Evidence the customer may see (staff uploads are internal unless shared)."""
    return list(case_evidence(case=case, customer_view=True).order_by("uploaded_at", "pk"))


def customer_evidence_get(*, case: Case, evidence_id: int) -> Evidence:
    for item in customer_evidence(case=case):
        if item.pk == evidence_id:
            return item
    raise LookupError(f"{case.reference} has no evidence #{evidence_id} for the customer")


@dataclass(frozen=True)
class OmbudsmanRule:
    title: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class OmbudsmanInfo:
    regime_title: str
    rules: tuple[OmbudsmanRule, ...]
    contact: str


def ombudsman_info(*, case: Case) -> OmbudsmanInfo | None:
    """For an FCA DISP case, the ombudsman facts the repo holds: the regime's rule titles
    and citations (regimes/uk-fca-disp.toml) and the FOS contact fragment. Nothing else."""
    if case.regime not in FOS_REGIMES:
        return None
    try:
        regime = regime_get(case.regime)
    except UnknownRegime:
        return None
    rules = tuple(
        OmbudsmanRule(r.title, tuple(s.citation for s in r.sources))
        for r in regime.rules
        if r.id in FOS_RULES
    )
    contact = ""
    for folder in (templates_dir(), PACKAGE_TEMPLATES):
        if folder is not None and (folder / "fragments" / "fos-contact.md").is_file():
            contact = (folder / "fragments" / "fos-contact.md").read_text(encoding="utf-8").strip()
            break
    return OmbudsmanInfo(regime_title=regime.title, rules=rules, contact=contact)


@dataclass(frozen=True)
class CustomerOffer:
    """An offer the business made where the customer can see it, and where it stands:
    `open` while the customer may still answer it here (no answer yet and the case still
    waits for one), `answered_by_customer` once it was answered through the portal."""

    offer: ResolutionOffer
    open: bool
    answered_by_customer: bool


def _offer_events(case: Case, kind: EventKind) -> list[tuple[CaseEvent, object]]:
    events = CaseEvent.objects.filter(
        organisation_id=case.organisation_id, case=case, kind=kind
    ).order_by("seq")
    return [(e, e.data) for e in personal_prefetch(events)]


def customer_offers(*, case: Case) -> list[CustomerOffer]:
    """The offers whose `resolution_offered` event the customer may see, oldest first.
    An offer recorded as internal is not shown, and cannot be answered here."""
    visible = {
        p.offer_id
        for e, p in _offer_events(case, EventKind.RESOLUTION_OFFERED)
        if isinstance(p, ResolutionOffered) and e.visibility == Visibility.CUSTOMER.value
    }
    by_customer = {
        p.offer_id
        for e, p in _offer_events(case, EventKind.RESOLUTION_ANSWERED)
        if isinstance(p, ResolutionAnswered) and e.actor_kind == ActorKind.CUSTOMER.value
    }
    waiting = case.status == CaseStatus.RESOLUTION_PROPOSED.value
    return [
        CustomerOffer(
            offer=offer,
            open=waiting and offer.answer == ResolutionOffer.Answer.PENDING,
            answered_by_customer=offer.pk in by_customer,
        )
        for offer in case_offers(case=case).order_by("offered_at", "pk")
        if offer.pk in visible
    ]


def customer_offer_get(*, case: Case, offer_id: int) -> CustomerOffer:
    """One offer the customer may see; `LookupError` for any other id."""
    for item in customer_offers(case=case):
        if item.offer.pk == offer_id:
            return item
    raise LookupError(f"{case.reference} has no offer #{offer_id} for the customer")
