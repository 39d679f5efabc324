"""Mail out of a case: `message_send` (staff's replies, letters, notifications), the
outcome of each delivery written back to the case, canned replies and notifications.

`message_send` writes the message row, its outbox delivery and its `message_queued` event
in one transaction; the worker delivers it (`plaint.outbox`), and the outcome comes back
through `message_delivery_record` (the outbox hook for `PURPOSE`) as a `message_delivery`
event, in the transaction that records the outcome. A letter e-mailed is marked sent
(`letters.services.letter_mark_sent`) when the mail server accepted it, not before."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from plaint.cases import evidence_store
from plaint.cases.contact_restrictions import contact_restrictions_enforce
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, Evidence
from plaint.cases.services import case_lock, require_aware
from plaint.domain import events as ev
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import STATUS_LABELS, CaseStatus
from plaint.domain.messaging.compose import (
    Attachment,
    Outgoing,
    address_make,
    header_text_clean,
    message_bytes,
    message_compose,
    message_id_make,
)
from plaint.domain.messaging.fill import template_check, template_fill
from plaint.domain.messaging.moments import DEFAULT_WORDING, Moment
from plaint.domain.vocabulary import Channel, DeliveryMethod, Visibility
from plaint.letters.selectors import LetterNotFound, case_letter
from plaint.letters.services import letter_mark_sent
from plaint.letters.store import letter_read
from plaint.messaging.identity import from_address, loop_marker, mail_domain
from plaint.messaging.models import CannedReply, Message, NotificationSetting
from plaint.outbox.models import Delivery
from plaint.outbox.services import delivery_enqueue

log = logging.getLogger(__name__)

PURPOSE = "messaging"
TEXT_MAX = 100_000
#: The most that may be attached to one e-mail (many servers refuse more than 25 MB).
ATTACHMENTS_MAX_BYTES = 20 * 1024 * 1024


def _checked_text(errors: dict[str, str], field: str, value: str, *, required: bool) -> str:
    text = value.replace("\r\n", "\n").strip()
    if required and not text:
        errors[field] = "is required"
    elif len(text) > TEXT_MAX:
        errors[field] = f"is longer than {TEXT_MAX:,} characters"
    elif "\x00" in text:
        errors[field] = "contains a NUL character"
    return text


def _thread_of(case: Case) -> tuple[str, tuple[str, ...]]:
    """In-Reply-To and References for a new message on the case: the newest message of
    the case answers, and the references hold the case's messages (the last ten)."""
    ids = list(
        Message.objects.filter(case=case)
        .order_by("-created_at", "-id")
        .values_list("message_id", flat=True)[:10]
    )
    if not ids:
        return "", ()
    return ids[0], tuple(reversed(ids))


def _letter_attachment(case: Case, seq: int) -> tuple[Attachment, str, str]:
    """The PDF of kept letter `seq` and its plain-text and HTML words."""
    try:
        kept = case_letter(case=case, seq=seq)
    except LetterNotFound:
        raise FieldErrors({"letter_seq": f"{case.reference} has no kept letter #{seq}"}) from None
    if kept.withdrawn is not None:
        raise FieldErrors({"letter_seq": f"letter #{seq} was withdrawn"})
    if kept.sent is not None:
        raise FieldErrors({"letter_seq": f"letter #{seq} was already sent"})
    files = kept.payload.files
    if "pdf" not in files:
        raise FieldErrors({"letter_seq": f"letter #{seq} was not kept as PDF; generate it again"})
    words = "txt" if "txt" in files else "md"
    text = letter_read(files[words]).decode("utf-8") if words in files else ""
    html = letter_read(files["html"]).decode("utf-8") if "html" in files else ""
    name = f"{case.reference} {kept.payload.title}.pdf"
    return Attachment(name, "application/pdf", letter_read(files["pdf"])), text, html


#: What the record shows in place of a private link sent by e-mail (only the link's hash
#: is kept anywhere else).
PRIVATE_LINK_SHOWN = "[private link]"


@transaction.atomic
def message_send(
    *,
    case: Case,
    subject: str,
    text: str,
    actor: Actor,
    now: datetime,
    html: str = "",
    letter_seq: int | None = None,
    evidence_ids: Sequence[int] = (),
    automatic: bool = False,
    purpose: str = "reply",
    secret: str = "",
    confirmed_despite_restriction: bool = False,
    confirmed_by: str = "",
) -> Message:
    """Queue an e-mail to the case's customer (at the address on the case).

    `text` (and optionally `html`) is the body; `letter_seq` attaches that kept letter's
    PDF (and, with no `text`, uses the letter's own words as the body); `evidence_ids`
    attach evidence of the case. `automatic` marks Plaint's own notifications
    (Auto-Submitted: auto-generated); staff's replies carry no such header. `secret` (a
    private link) goes to the customer in the e-mail but is not kept in the record: the
    message row and its event show `[private link]` in its place. Writes the message, its
    delivery and one `message_queued` event, or nothing (`FieldErrors`).

    A contact restriction in force at `now` that forbids e-mailing the customer refuses
    the message before anything is written (`ContactRestricted`), unless
    `confirmed_despite_restriction` with `confirmed_by` (who confirmed it): the override
    is kept in the `message_queued` event."""
    require_aware(now=now)
    case = case_lock(case)
    override = contact_restrictions_enforce(
        case=case,
        channel=Channel.EMAIL,
        at=now,
        doing="not sent",
        confirmed_despite_restriction=confirmed_despite_restriction,
        confirmed_by=confirmed_by,
    )
    errors: dict[str, str] = {}
    customer = case.customer
    if not customer.email:
        errors["to"] = f"{case.reference}'s customer has no e-mail address on the case"
    attachments: list[Attachment] = []
    if letter_seq is not None:
        try:
            pdf, letter_text, letter_html = _letter_attachment(case, letter_seq)
        except FieldErrors as exc:
            errors.update(exc.errors)
        else:
            attachments.append(pdf)
            text = text or letter_text
            html = html or letter_html
    subject = header_text_clean(subject)
    if not subject:
        errors["subject"] = "is required"
    text = _checked_text(errors, "text", text, required=True)
    html = _checked_text(errors, "html", html, required=False)
    wanted = list(dict.fromkeys(int(pk) for pk in evidence_ids))
    chosen = {e.pk: e for e in Evidence.objects.filter(case=case, pk__in=wanted)}
    if missing := [pk for pk in wanted if pk not in chosen]:
        errors["evidence"] = f"not evidence of {case.reference}: {', '.join(map(str, missing))}"
    total = sum(a.data.__len__() for a in attachments) + sum(e.size for e in chosen.values())
    if total > ATTACHMENTS_MAX_BYTES:
        errors["evidence"] = (
            f"the attachments come to {total:,} bytes, over the limit of "
            f"{ATTACHMENTS_MAX_BYTES:,} for one e-mail"
        )
    if errors:
        raise FieldErrors(errors)
    for pk in wanted:
        item = chosen[pk]
        try:
            opened = evidence_store.blob_open_checked(item.sha256)
        except evidence_store.BlobAltered as exc:
            raise FieldErrors({"attachments": f"{item.filename}: {exc.message}"}) from None
        with opened as fh:
            attachments.append(Attachment(item.filename, item.content_type, fh.read()))
    to = address_make(customer.name, customer.email, field_name="to")
    sender = address_make(case.organisation.name, from_address(), field_name="from")
    in_reply_to, references = _thread_of(case)
    message_id = message_id_make(case.reference, mail_domain())
    outgoing = Outgoing(
        sender=sender,
        to=to,
        subject=subject,
        text=text,
        html=html,
        message_id=message_id,
        date=now,
        automatic=automatic,
        in_reply_to=in_reply_to,
        references=references,
        attachments=tuple(attachments),
        loop_marker=loop_marker(),
    )
    raw = message_bytes(message_compose(outgoing))
    if secret:
        text = text.replace(secret, PRIVATE_LINK_SHOWN)
    delivery = delivery_enqueue(
        transport="smtp",
        purpose=PURPOSE,
        payload=raw,
        recipients=[to.addr_spec],
        sender=sender.addr_spec,
        organisation=case.organisation,
        now=now,
    )
    message = Message.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        direction=Message.Direction.OUT,
        state=Message.State.OUTGOING,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=" ".join(references),
        sender=sender.addr_spec,
        sender_name=sender.display_name,
        to=to.addr_spec,
        subject=subject,
        text=text,
        text_shown=text,
        raw_size=len(raw),
        source="desk" if actor.user is not None else "plaint",
        automatic="auto-generated" if automatic else "",
        purpose=purpose,
        letter_seq=letter_seq,
        delivery=delivery,
        created_at=now,
    )
    event_append(
        case=case,
        payload=ev.MessageQueued(
            message_pk=message.pk,
            message_id=message_id,
            to=to.addr_spec,
            subject=subject,
            text=text,
            automatic=automatic,
            purpose=purpose,
            letter_seq=letter_seq,
            attachments=[a.filename for a in attachments],
            restriction_override=override,
        ),
        actor=actor,
        now=now,
        visibility=Visibility.CUSTOMER,
    )
    return message


def message_delivery_record(delivery: Delivery, now: datetime) -> None:
    """The outbox's outcome hook: the delivery's outcome as a `message_delivery` event on
    its case, in the outbox's transaction. A letter the server accepted is marked sent by
    e-mail at the moment of acceptance."""
    message = Message.objects.filter(delivery=delivery).select_related("case").first()
    if message is None or message.case is None:
        return
    case = case_lock(message.case)
    outcome = str(delivery.status)
    event_append(
        case=case,
        payload=ev.MessageDelivery(
            message_pk=message.pk,
            message_id=message.message_id,
            outcome=outcome,
            reply=delivery.server_reply if outcome == "sent" else delivery.last_error,
            at=now.isoformat(),
        ),
        actor=Actor.system("Plaint outbox"),
        now=now,
        visibility=Visibility.INTERNAL,
    )
    if outcome == "sent" and message.letter_seq is not None:
        try:
            with transaction.atomic():
                letter_mark_sent(
                    case=case,
                    seq=message.letter_seq,
                    method=DeliveryMethod.EMAIL,
                    sent_at=delivery.accepted_at or now,
                    actor=Actor.system("Plaint outbox"),
                    now=now,
                )
        except DomainError as exc:
            # Marked sent by hand in the meantime, say: the delivery stands as recorded.
            log.warning("Letter #%s of %s not marked sent: %s", message.letter_seq, case, exc)


def letter_email_send(
    *,
    case: Case,
    seq: int,
    actor: Actor,
    now: datetime,
    confirmed_despite_restriction: bool = False,
    confirmed_by: str = "",
) -> Message:
    """E-mail kept letter `seq` to the customer: its words as the body (text and HTML),
    its PDF attached. It is marked sent by e-mail when the mail server accepts it. A
    contact restriction is enforced (and confirmed) as in `message_send`."""
    try:
        kept = case_letter(case=case, seq=seq)
    except LetterNotFound:
        raise FieldErrors({"letter_seq": f"{case.reference} has no kept letter #{seq}"}) from None
    subject = kept.payload.subject or f"{kept.payload.title} ({case.reference})"
    return message_send(
        case=case,
        subject=subject,
        text="",
        letter_seq=seq,
        actor=actor,
        now=now,
        purpose="letter",
        confirmed_despite_restriction=confirmed_despite_restriction,
        confirmed_by=confirmed_by,
    )


def case_fields(*, case: Case, staff_name: str = "", link: str = "") -> dict[str, str]:
    """The values canned replies and notifications are filled with."""
    try:
        status = STATUS_LABELS[CaseStatus(case.status)]
    except ValueError:
        status = case.status
    return {
        "case.reference": case.reference,
        "case.product": case.product,
        "case.status": status,
        "customer.name": case.customer.name,
        "organisation.name": case.organisation.name,
        "staff.name": staff_name,
        "link": link,
    }


@transaction.atomic
def canned_reply_save(
    *, organisation_id: int, name: str, subject: str, body: str, active: bool = True
) -> CannedReply:
    """Create or change an organisation's canned reply (by name)."""
    errors: dict[str, str] = {}
    name = header_text_clean(name, max_length=100)
    if not name:
        errors["name"] = "is required"
    subject = header_text_clean(subject)
    if not subject:
        errors["subject"] = "is required"
    body = _checked_text(errors, "body", body, required=True)
    for field, value in (("subject", subject), ("body", body)):
        try:
            template_check(value, field_name=field)
        except FieldErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    reply, _ = CannedReply.objects.update_or_create(
        organisation_id=organisation_id,
        name=name,
        defaults={"subject": subject, "body": body, "active": active},
    )
    return reply


def canned_reply_send(
    *,
    case: Case,
    reply: CannedReply,
    actor: Actor,
    now: datetime,
    extra: str = "",
    confirmed_despite_restriction: bool = False,
    confirmed_by: str = "",
) -> Message:
    """Send a canned reply with the case's fields filled; `extra` is added below it. A
    contact restriction is enforced (and confirmed) as in `message_send`."""
    if reply.organisation_id != case.organisation_id or not reply.active:
        raise FieldErrors({"reply": "is not an active canned reply of this organisation"})
    values = case_fields(case=case, staff_name=actor.label)
    text = template_fill(reply.body, values)
    if extra.strip():
        text = f"{text.rstrip()}\n\n{extra.strip()}"
    return message_send(
        case=case,
        subject=template_fill(reply.subject, values),
        text=text,
        actor=actor,
        now=now,
        purpose="reply",
        confirmed_despite_restriction=confirmed_despite_restriction,
        confirmed_by=confirmed_by,
    )


@dataclass(frozen=True)
class MomentWording:
    moment: Moment
    enabled: bool
    subject: str
    body: str
    customised: bool


def notification_wording(*, organisation_id: int, moment: Moment) -> MomentWording:
    default = DEFAULT_WORDING[moment]
    row = NotificationSetting.objects.filter(
        organisation_id=organisation_id, moment=moment.value
    ).first()
    if row is None:
        return MomentWording(moment, True, default.subject, default.body, False)
    return MomentWording(
        moment, row.enabled, row.subject or default.subject, row.body or default.body, True
    )


@transaction.atomic
def notification_setting_save(
    *, organisation_id: int, moment: Moment | str, enabled: bool, subject: str = "", body: str = ""
) -> NotificationSetting:
    """Change an organisation's wording for a moment (blank: Plaint's default), or turn it
    off."""
    errors: dict[str, str] = {}
    try:
        chosen = Moment(moment)
    except ValueError:
        options = ", ".join(m.value for m in Moment)
        raise FieldErrors({"moment": f"{moment!r} is not one of: {options}"}) from None
    subject = header_text_clean(subject)
    body = _checked_text(errors, "body", body, required=False)
    for field, value in (("subject", subject), ("body", body)):
        try:
            template_check(value, field_name=field)
        except FieldErrors as exc:
            errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    row, _ = NotificationSetting.objects.update_or_create(
        organisation_id=organisation_id,
        moment=chosen.value,
        defaults={"enabled": enabled, "subject": subject, "body": body},
    )
    return row


def customer_notify(
    *, case: Case, moment: Moment | str, now: datetime, link: str = ""
) -> Message | None:
    """Tell the customer about `moment` by e-mail, in the organisation's words (or
    Plaint's), as an automatic message. None when the organisation turned the moment off
    or the customer has no e-mail address."""
    chosen = Moment(moment)
    wording = notification_wording(organisation_id=case.organisation_id, moment=chosen)
    if not wording.enabled or not case.customer.email:
        return None
    values = case_fields(case=case, link=link)
    return message_send(
        case=case,
        subject=template_fill(wording.subject, values),
        text=template_fill(wording.body, values),
        actor=Actor.system(),
        now=now,
        automatic=True,
        purpose=chosen.value,
        secret=link,
    )
