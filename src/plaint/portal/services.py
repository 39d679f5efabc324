"""Writes the portal makes on a customer's behalf. Each one goes through the services of
the case file (`complaint_receive`, `case_evidence_attach`, `case_note_add`,
`letter_generate`, `case_transition`); the portal adds only its rate limit, the private
link and the e-mail that carries it."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, BinaryIO

from django.db import IntegrityError, transaction

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, ResolutionOffer
from plaint.cases.services import (
    CustomerDetails,
    case_contact_log,
    case_evidence_attach,
    case_lock,
    case_note_add,
    case_offer_answer,
    case_transition,
)
from plaint.config import appsettings
from plaint.config.appsettings import APP
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus, allowed_targets
from plaint.domain.messaging.moments import Moment
from plaint.domain.vocabulary import Channel, Direction, Visibility
from plaint.intake.services import complaint_receive
from plaint.letters.services import GeneratedLetter, letter_generate
from plaint.limits import http as limits_http
from plaint.limits.services import LimitExceeded, limit_take
from plaint.messaging.services import customer_replied, message_send
from plaint.portal.links import IssuedLink, link_issue
from plaint.portal.models import ComplaintSubmission, IntakeAttempt, PortalLink
from plaint.portal.selectors import customer_offer_get, overdue_business_deadlines

log = logging.getLogger(__name__)


class RateLimited(DomainError):
    """Too many submissions from one address in the window."""

    def __init__(self, retry_at: datetime, what: str = "complaints have") -> None:
        super().__init__(
            f"Too many {what} been sent from your connection in a short time. "
            "Please try again later."
        )
        self.retry_at = retry_at


def client_key(ip: str) -> str:
    """A keyed hash of the client's address: enough to count, not to recover it."""
    return limits_http.client_key(ip)


def _throttle(*, kind: IntakeAttempt.Kind, ip: str, now: datetime, what: str) -> None:
    """One atomic count (`limit_take`) per address and kind in fixed windows: 16 requests
    at once against a limit of 5 let exactly 5 through."""
    state = limit_take(
        scope=f"portal-{kind.value}",
        key=client_key(ip),
        limit=APP.portal_rate_limit,
        window=APP.portal_rate_window_minutes * 60,
        now=now,
    )
    if not state.allowed:
        raise RateLimited(retry_at=now + timedelta(seconds=state.retry_after), what=what)


def intake_throttle(*, ip: str, now: datetime) -> None:
    """Count one complaint from `ip`, or raise `RateLimited` when it has already sent
    PLAINT_PORTAL_RATE_LIMIT in this window of PLAINT_PORTAL_RATE_WINDOW_MINUTES."""
    _throttle(kind=IntakeAttempt.Kind.COMPLAINT, ip=ip, now=now, what="complaints have")


def link_request_throttle(*, ip: str, now: datetime) -> None:
    """Count one request for a new link from `ip`, under the same limit and window as
    complaints (counted apart from them)."""
    _throttle(kind=IntakeAttempt.Kind.LINK_REQUEST, ip=ip, now=now, what="requests have")


def case_post_take(*, case: Case, now: datetime) -> None:
    """Count one post the customer makes on `case` (a reply, files, an offer's answer, an
    escalation), or raise `LimitExceeded` past PLAINT_PORTAL_POSTS_PER_HOUR: one count per
    case, whichever of its links is used. Called inside the post's transaction, so a post
    refused for another reason is not counted."""
    limit = appsettings.APP.portal_posts_per_hour
    state = limit_take(scope="portal-post", key=str(case.pk), limit=limit, window=3600, now=now)
    if not state.allowed:
        minutes = max(1, -(-state.retry_after // 60))
        raise LimitExceeded(
            f"This complaint has had as many messages, files and answers as it can take "
            f"in one hour ({limit} an hour), so this one was not sent and nothing of it "
            f"was kept. You can send it again in {minutes} minute(s). If it is urgent, "
            f"please contact {case.organisation.name} another way.",
            retry_after=state.retry_after,
        )


@dataclass(frozen=True)
class Upload:
    filename: str
    stream: BinaryIO
    content_type: str = ""


@dataclass(frozen=True)
class ComplaintDetails:
    description: str
    desired_resolution: str
    product: str = ""
    order_number: str = ""
    account_number: str = ""
    occurred_on: date | None = None
    amount: Decimal | None = None
    currency: str = ""


@dataclass(frozen=True)
class Filed:
    case: Case
    token: str
    link: str
    days: int  # how long the link works
    #: True when the form had filed this case before (its response was lost): no new
    #: link is issued; the first one is in the customer's e-mail.
    again: bool = False


def _submission_claim(
    *, organisation: Organisation, form_token: str, now: datetime
) -> ComplaintSubmission | Case:
    """Insert the form token's row, or return the case it filed before. The unique
    constraint decides, not a look-up first: a second request racing the first blocks on
    the insert until the first commits (PostgreSQL) or waits for the write lock
    (SQLite), and then finds the first's row."""
    try:
        with transaction.atomic():
            return ComplaintSubmission.objects.create(
                organisation=organisation, token=form_token, at=now
            )
    except IntegrityError:
        first = ComplaintSubmission.objects.select_related("case").get(
            organisation=organisation, token=form_token
        )
        assert first.case is not None  # set in the transaction that wrote the row
        return first.case


def _attach_all(*, case: Case, uploads: Sequence[Upload], actor: Actor, now: datetime) -> None:
    for upload in uploads:
        try:
            case_evidence_attach(
                case=case,
                filename=upload.filename,
                stream=upload.stream,
                content_type=upload.content_type,
                actor=actor,
                now=now,
                visibility=Visibility.CUSTOMER,
            )
        except FieldErrors as exc:
            problems = "; ".join(exc.errors.values())
            raise FieldErrors({"evidence": problems}) from None


def _link_queue(*, case: Case, subject: str, body: str, link: str, now: datetime) -> None:
    """Queue a private link's e-mail to the address on the case through the outbox, in
    the caller's transaction (rolled back with it; delivered once by the worker). The
    record keeps the e-mail with the link itself left out. A refusal (a contact
    restriction) is logged: the customer's request must not fail or tell anything."""
    try:
        with transaction.atomic():
            message_send(
                case=case,
                subject=subject,
                text=body,
                actor=Actor.system(),
                now=now,
                automatic=True,
                purpose=Moment.NEW_LINK.value,
                secret=link,
            )
    except DomainError as exc:
        log.warning("Portal: no link e-mail for %s: %s", case.reference, exc)


def _mail_link(*, case: Case, link: str, days: int, now: datetime) -> None:
    body = (
        f"Dear {case.customer.name},\n\n"
        f"{case.organisation.name} has received your complaint. Its reference is "
        f"{case.reference}.\n\n"
        "You can follow it, add information or evidence, and escalate it from this private "
        f"link (it works for {days} days; keep it to yourself):\n\n{link}\n\n"
        "Anyone with the link can see your complaint, so please do not forward this e-mail.\n"
    )
    subject = f"Your complaint {case.reference} to {case.organisation.name}"
    _link_queue(case=case, subject=subject, body=body, link=link, now=now)


def complaint_file(
    *,
    organisation: Organisation,
    customer: CustomerDetails,
    complaint: ComplaintDetails,
    uploads: Sequence[Upload],
    now: datetime,
    link_for: Callable[[str], str],
    form_token: str = "",
) -> Filed:
    """Open the case through the intake, attach the evidence, and queue the e-mail with
    the private link in the same transaction (the outbox delivers it once committed). A
    refused file refuses the submission: nothing is kept, and the form says why.

    `form_token` is the form's own token (`forms.form_token_new`): a form that filed a
    case before files nothing again and gets that case back (`Filed.again`)."""
    actor = Actor.customer(customer.name.strip() or "Customer")
    with transaction.atomic():
        claim: ComplaintSubmission | None = None
        if form_token:
            claimed = _submission_claim(organisation=organisation, form_token=form_token, now=now)
            if isinstance(claimed, Case):
                return Filed(case=claimed, token="", link="", days=0, again=True)
            claim = claimed
        intake = complaint_receive(
            now=now,
            organisation=organisation,
            customer=customer,
            channel=Channel.WEB,
            received_at=now,
            description=complaint.description,
            desired_resolution=complaint.desired_resolution,
            product=complaint.product,
            order_number=complaint.order_number,
            account_number=complaint.account_number,
            occurred_on=complaint.occurred_on,
            amount_in_dispute=complaint.amount,
            currency=complaint.currency,
            actor=actor,
        )
        case = intake.case
        if claim is not None:
            claim.case = case
            claim.save(update_fields=["case"])
        _attach_all(case=case, uploads=uploads, actor=actor, now=now)
        issued = link_issue(case=case, now=now, reason=PortalLink.Reason.FILED)
        link = link_for(issued.token)
        if case.customer.email:
            _mail_link(case=case, link=link, days=issued.days, now=now)
    return Filed(case=case, token=issued.token, link=link, days=issued.days)


#: New links one case may be sent on request in a rate window, whoever asks: a stranger who
#: knows a reference and an address cannot fill the customer's inbox.
LINKS_PER_CASE = 3


def _mail_new_link(*, case: Case, link: str, days: int, now: datetime) -> None:
    body = (
        f"Dear {case.customer.name},\n\n"
        f"Someone asked for a new private link to your complaint {case.reference} to "
        f"{case.organisation.name}. Here it is (it works for {days} days; keep it to "
        f"yourself):\n\n{link}\n\n"
        "If you did not ask for it, you can ignore this e-mail: the link was sent only to "
        "you, and your older links still work until they expire.\n"
    )
    subject = f"A new link to your complaint {case.reference}"
    _link_queue(case=case, subject=subject, body=body, link=link, now=now)


def _same_address(typed: str, on_file: str) -> bool:
    a, b = typed.strip().casefold(), on_file.strip().casefold()
    return bool(b) and hmac.compare_digest(a.encode(), b.encode())


def link_request(
    *,
    organisation: Organisation,
    reference: str,
    email: str,
    now: datetime,
    link_for: Callable[[str], str],
) -> None:
    """A customer whose link expired asks for a new one. When `reference` names a case of
    this organisation whose customer's address is `email` (ignoring case and spaces), a
    new link is issued and e-mailed to the address on the case (never to the one typed),
    at most LINKS_PER_CASE times per rate window. Otherwise nothing happens. Either way
    the caller learns nothing: this returns nothing and raises nothing for a mismatch."""
    wanted = reference.strip().upper()
    if not wanted or "\x00" in wanted or "\x00" in email or len(wanted) > 32:
        return
    with transaction.atomic():
        case = (
            Case.objects.select_related("customer", "organisation")
            .filter(organisation=organisation, reference=wanted)
            .first()
        )
        if case is None or not _same_address(email, case.customer.email):
            return
        since = now - timedelta(minutes=APP.portal_rate_window_minutes)
        recent = PortalLink.objects.filter(
            case=case, reason=PortalLink.Reason.REQUESTED, issued_at__gte=since
        ).count()
        if recent >= LINKS_PER_CASE:
            log.warning("Portal: new-link requests for %s are over the limit", case.reference)
            return
        issued = link_issue(case=case, now=now, reason=PortalLink.Reason.REQUESTED)
        _mail_new_link(case=case, link=link_for(issued.token), days=issued.days, now=now)


@transaction.atomic
def case_link_issue(*, case: Case, now: datetime) -> IssuedLink:
    """A new private link to `case` for staff to hand over (`plaint portal link`)."""
    return link_issue(case=case, now=now, reason=PortalLink.Reason.ISSUED)


def customer_actor(case: Case) -> Actor:
    return Actor.customer(case.customer.name)


@transaction.atomic
def evidence_add(*, case: Case, uploads: Sequence[Upload], now: datetime) -> None:
    """Attach the customer's files, all or none."""
    if not uploads:
        raise FieldErrors({"evidence": "choose at least one file"})
    case_post_take(case=case, now=now)
    _attach_all(case=case, uploads=uploads, actor=customer_actor(case), now=now)


def reply_send(*, case: Case, text: str, uploads: Sequence[Upload], now: datetime) -> None:
    """The customer's reply to the business: an inbound contact through the website whose
    text both sides see (`case_contact_log`, actor: the customer), with the files attached
    to it through the evidence checks. All or nothing: a refused file keeps no reply."""
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Please write your message."
    elif "\x00" in text:
        errors["text"] = "Your message contains a character that cannot be kept (NUL)."
    if errors:
        raise FieldErrors(errors)
    actor = customer_actor(case)
    with transaction.atomic():
        case_post_take(case=case, now=now)
        try:
            case_contact_log(
                case=case,
                contact_at=now,
                channel=Channel.WEB,
                direction=Direction.INBOUND,
                actor=actor,
                now=now,
                summary=text,
                summary_visibility=Visibility.CUSTOMER,
                visibility=Visibility.CUSTOMER,
            )
        except FieldErrors as exc:
            raise FieldErrors(
                {"text" if k == "summary" else k: v for k, v in exc.errors.items()}
            ) from None
        _attach_all(case=case, uploads=uploads, actor=actor, now=now)
        # A case awaiting the customer's answer has it: its paused clocks run again.
        customer_replied(case=case_lock(case), actor=actor, now=now, how="through the website")


class Grounds:
    DEADLINE = "deadline"
    UNHAPPY = "unhappy"


@dataclass(frozen=True)
class Escalation:
    letter: GeneratedLetter
    escalated: bool  # the status moved to "escalated" (else a note records it)


def case_escalate(
    *,
    case: Case,
    grounds: str,
    explanation: str,
    fields: Mapping[str, Any],
    now: datetime,
) -> Escalation:
    """Escalate for the customer: generate the escalation letter from the record (with the
    `fields` they supplied), then record the escalation, as a move to `escalated` when the
    lifecycle allows it, otherwise as a customer-visible note. `MissingFields` and
    `InvalidFields` from the letter are raised before anything is written."""
    overdue = overdue_business_deadlines(case=case, now=now)
    if grounds == Grounds.DEADLINE and not overdue:
        raise FieldErrors(
            {
                "grounds": "No deadline the business committed to has passed yet. "
                "If you are unhappy with how your complaint is handled, choose that instead."
            }
        )
    if grounds not in (Grounds.DEADLINE, Grounds.UNHAPPY):
        raise FieldErrors({"grounds": "choose why you are escalating"})
    why = (
        "Escalated by the customer: "
        + (
            "a deadline the business committed to has passed"
            if grounds == Grounds.DEADLINE
            else "the customer is unhappy with how the complaint is being handled"
        )
        + (f". {explanation.strip()}" if explanation.strip() else ".")
    )
    actor = customer_actor(case)
    with transaction.atomic():
        case_post_take(case=case, now=now)
        generated = letter_generate(
            case=case, kind="escalation", actor=actor, now=now, fields=dict(fields)
        )
        case.refresh_from_db(fields=["status"])
        if CaseStatus.ESCALATED in allowed_targets(case.status_enum):
            case_transition(case=case, to=CaseStatus.ESCALATED, actor=actor, now=now, reason=why)
            escalated = True
        else:
            case_note_add(case=case, text=why, actor=actor, now=now, visibility=Visibility.CUSTOMER)
            escalated = False
    return Escalation(letter=generated, escalated=escalated)


@dataclass(frozen=True)
class OfferAnswered:
    offer: ResolutionOffer
    already: bool  # the same answer had already been recorded from the portal (a resubmission)


def offer_answer(
    *, case: Case, offer_id: int, accepted: bool, reason: str, now: datetime
) -> OfferAnswered:
    """Record the customer's own answer to an offer they can see, through
    `case_offer_answer` (actor: the customer), then bring the case's deadlines up to date,
    as the desk does when staff record an answer. A rejection needs a reason.

    Sending the same answer twice (a double click, a reload) records it once and returns
    `already=True`. An offer answered otherwise, or no longer open because the business
    moved the case on since making it, is refused with a `DomainError` that says so."""
    errors: dict[str, str] = {}
    if not accepted and not reason.strip():
        errors["reason"] = "Please tell us why you are rejecting the offer."
    if "\x00" in reason:
        errors["reason"] = "Your reason contains a character that cannot be kept (NUL)."
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        case = case_lock(case)
        case_post_take(case=case, now=now)
        try:
            item = customer_offer_get(case=case, offer_id=offer_id)
        except LookupError:
            raise FieldErrors({"offer": "There is no such offer on your complaint."}) from None
        offer = item.offer
        wanted = ResolutionOffer.Answer.ACCEPTED if accepted else ResolutionOffer.Answer.REJECTED
        if offer.answer != ResolutionOffer.Answer.PENDING:
            if offer.answer == wanted and item.answered_by_customer:
                return OfferAnswered(offer=offer, already=True)
            on = f"{offer.answered_at:%d %B %Y}" if offer.answered_at else "an earlier date"
            raise DomainError(
                f"This offer was already {offer.answer} on {on}, so this answer was not "
                "recorded. If something is wrong, please send a message below."
            )
        if not item.open:
            raise DomainError(
                f"This offer is no longer open: {case.organisation.name} has moved your "
                f"complaint on since making it (it is now “{case.status_enum.label}”). "
                "Your answer was not recorded; you can send a message below instead."
            )
        answered = case_offer_answer(
            offer=offer,
            accepted=accepted,
            actor=customer_actor(case),
            now=now,
            comment=reason,
        )
    case_deadlines_refresh(case=case, now=now)
    return OfferAnswered(offer=answered, already=False)
