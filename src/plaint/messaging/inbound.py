"""Mail into a case: `message_receive` is the one way in, whatever brought the message
(`plaint mail import`, IMAP polling, a webhook).

In one transaction it keeps the raw bytes (content-addressed), recognises a copy it has
already recorded (by Message-ID), threads the message to its case (headers first; the
reference in the subject only from that case's own customer), turns attachments into
evidence through the evidence checks, records a `message_received` event with the words
trimmed for display (the full text kept in the message store), puts the case in the
"new replies" queue and tells its assignee. A message from nobody we know opens a case
through the intake service, unless it is automatic; a reference in the subject from a
stranger goes to the "could not match" queue for a person. Mail too large, malformed,
or over the sender's rate limit is kept raw with its reason and recorded nowhere else."""

from __future__ import annotations

import email.message as mime
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery

from plaint.accounts.models import Organisation
from plaint.cases import search
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case
from plaint.cases.services import (
    CustomerDetails,
    case_evidence_attach,
    case_lock,
    case_transition,
    require_aware,
)
from plaint.deadlines.notifications import recipients_for_reminder, send_on_commit
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain import events as ev
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus, allowed_targets
from plaint.domain.messaging.automatic import automatic_classify
from plaint.domain.messaging.compose import header_text_clean
from plaint.domain.messaging.moments import Moment
from plaint.domain.messaging.sanitise import html_sanitise
from plaint.domain.messaging.threading import message_ids_in, thread_match
from plaint.domain.messaging.trimming import text_trim
from plaint.domain.vocabulary import Visibility
from plaint.intake.services import complaint_receive
from plaint.messaging.identity import loop_marker, mail_domain, our_addresses
from plaint.messaging.models import Message
from plaint.messaging.outbound import customer_notify
from plaint.messaging.rawstore import raw_put
from plaint.outbox.services import delivery_bounce

log = logging.getLogger(__name__)

#: The largest message recorded (bigger ones are kept raw, with the reason).
MAX_BYTES = 25 * 1024 * 1024
#: Messages one sender may send an organisation per hour before the rest are held.
RATE_LIMIT = 30
RATE_WINDOW = timedelta(hours=1)
TEXT_MAX = 100_000

#: The compat32 parser: headers are decoded only where they are read (much faster than
#: the `default` policy, which parses every header it is asked for into objects).
_PARSER = BytesParser()
#: The headers that say a message is automatic (see `automatic_classify`).
_AUTOMATIC_HEADERS = frozenset(
    {
        "auto-submitted",
        "precedence",
        "list-id",
        "list-unsubscribe",
        "x-loop",
        "return-path",
        "x-autoreply",
        "x-autorespond",
    }
)


@dataclass(frozen=True)
class Received:
    message: Message
    outcome: str  # recorded, new_case, duplicate, unmatched, rejected, bounce
    reason: str = ""


def _max_bytes() -> int:
    return int(getattr(settings, "MAIL_MAX_BYTES", MAX_BYTES))


def _decoded(value: str) -> str:
    """An RFC 2047 header value as text; undecodable parts stay as they came."""
    try:
        text = str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError):
        text = value
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _header(message: mime.Message, name: str) -> str:
    """A header's value as text; a header too broken to read counts as absent."""
    value = message.get(name)
    return "" if value is None else _decoded(str(value))


def _part_text(part: mime.Message) -> str:
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know
        text = data.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n").replace("\x00", "")


def _parts(message: mime.Message) -> tuple[str, str, list[tuple[str, str, bytes]]]:
    """The plain text, the HTML and the attachments (name, type, bytes) of a message:
    the first text/plain and text/html parts not marked as attachments are its words."""
    text = html = ""
    found: list[tuple[str, str, bytes]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        name = part.get_filename()
        if part.get_content_disposition() == "attachment" or name:
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                found.append((_decoded(name or "attachment"), ctype, data))
        elif ctype == "text/plain" and not text:
            text = _part_text(part)
        elif ctype == "text/html" and not html:
            html = _part_text(part)
    if not text and html:
        text = nh3.clean(html, tags=set()).replace("&nbsp;", " ").strip()
    return text[:TEXT_MAX], html[: TEXT_MAX * 5], found


def _sent_at(message: mime.Message, now: datetime) -> datetime:
    try:
        when = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return now
    if when is None or when.tzinfo is None or when > now:
        return now
    return when


def _keep_raw(
    *,
    organisation: Organisation,
    raw: bytes,
    sha: str,
    message_id: str,
    sender: str,
    subject: str,
    source: str,
    reason: str,
    now: datetime,
    state: str = Message.State.REJECTED,
    automatic: str = "",
    text: str = "",
    html: str = "",
    attachments: list[tuple[str, str, bytes]] | None = None,  # kept in the raw message only
) -> Message:
    del attachments
    return Message.objects.create(
        organisation=organisation,
        direction=Message.Direction.IN,
        state=state,
        message_id=message_id[:998],
        sender=sender[:320],
        subject=subject[:300],
        text=text,
        text_shown=text_trim(text) if text else "",
        html_safe=html_sanitise(html) if html else "",
        raw_sha256=sha,
        raw_size=len(raw),
        source=source[:40],
        automatic=automatic[:200],
        reason=reason,
        created_at=now,
    )


def _bounce_of(message: mime.Message) -> list[str]:
    """The Message-IDs a delivery report (multipart/report) is about."""
    ids: list[str] = []
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype in {"message/rfc822", "text/rfc822-headers", "message/rfc822-headers"}:
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                first = payload[0]
                if isinstance(first, mime.Message):
                    ids += message_ids_in(str(first.get("Message-ID", "")))
            else:
                body = part.get_payload(decode=True) or b""
                text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
                for line in text.splitlines():
                    if line.lower().startswith("message-id:"):
                        ids += message_ids_in(line)
    return ids


@transaction.atomic
def message_receive(
    raw: bytes,
    *,
    organisation: Organisation,
    source: str,
    now: datetime,
    open_cases: bool = True,
) -> Received:
    """Record one received e-mail (its raw bytes) for `organisation`; see the module's
    description. `open_cases=False` sends mail from strangers to the "could not match"
    queue instead of opening a case. Returns what became of it."""
    require_aware(now=now)
    sha = raw_put(raw)
    if len(raw) > _max_bytes():
        reason = f"larger than the limit of {_max_bytes():,} bytes ({len(raw):,}); kept raw"
        existing = Message.objects.filter(organisation=organisation, raw_sha256=sha).first()
        if existing is not None:
            return Received(existing, "duplicate")
        return Received(
            _keep_raw(
                organisation=organisation,
                raw=raw,
                sha=sha,
                message_id=f"<{sha}@raw.plaint>",
                sender="",
                subject="",
                source=source,
                reason=reason,
                now=now,
            ),
            "rejected",
            reason,
        )
    try:
        parsed = _PARSER.parsebytes(raw)
        message_id = (message_ids_in(_header(parsed, "Message-ID")) or [f"<{sha}@raw.plaint>"])[0]
        addresses = getaddresses([str(parsed.get("From", ""))])
        sender_name, sender = addresses[0] if addresses else ("", "")
        sender_name, sender = _decoded(sender_name), sender.strip().lower()
        subject = header_text_clean(_header(parsed, "Subject"), max_length=300)
        text, html, attachments = _parts(parsed)
    except Exception as exc:  # any failure to read it is a reason to keep it raw
        reason = f"could not be read as e-mail ({type(exc).__name__}: {exc}); kept raw"
        return Received(
            _keep_raw(
                organisation=organisation,
                raw=raw,
                sha=sha,
                message_id=f"<{sha}@raw.plaint>",
                sender="",
                subject="",
                source=source,
                reason=reason,
                now=now,
            ),
            "rejected",
            reason,
        )
    # One query for both: is this a copy, and how much has the sender sent lately? Each
    # is a subquery on its own index ((organisation, message_id) and (organisation,
    # sender, created_at)); an aggregate with two FILTERs over the organisation's
    # messages would read every one of them, for every message received.
    copy = (
        Message.objects.filter(
            organisation=organisation, direction=Message.Direction.IN, message_id=message_id
        )
        .order_by("pk")
        .values("pk")[:1]
    )
    recent = (
        Message.objects.filter(
            organisation=organisation, sender=sender, created_at__gte=now - RATE_WINDOW
        )
        .order_by()
        .values("organisation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    seen = (
        Organisation.objects.filter(pk=organisation.pk)
        .values(copy=Subquery(copy), recent=Subquery(recent))
        .get()
    )
    seen["recent"] = seen["recent"] or 0
    if seen["copy"] is not None:
        return Received(Message.objects.get(pk=seen["copy"]), "duplicate")
    common: dict[str, Any] = {
        "organisation": organisation,
        "raw": raw,
        "sha": sha,
        "message_id": message_id,
        "sender": sender,
        "subject": subject,
        "source": source,
        "now": now,
        "text": text,
        "html": html,
        "attachments": attachments,
    }
    if "@" not in sender or len(sender) > 320:
        reason = "no usable sender address (From); kept raw"
        return Received(_keep_raw(reason=reason, **common), "rejected", reason)
    present = {k.lower() for k in parsed.keys()}  # noqa: SIM118 - names only, unparsed
    headers = {name: _header(parsed, name) for name in _AUTOMATIC_HEADERS & present}
    automatic = automatic_classify(
        headers,
        sender=sender,
        content_type=parsed.get_content_type(),
        our_addresses=our_addresses(),
        loop_marker=loop_marker(),
    )
    why_automatic = automatic.reason if automatic else ""
    if parsed.get_content_type() == "multipart/report":
        bounced = Message.objects.filter(
            organisation=organisation,
            direction=Message.Direction.OUT,
            message_id__in=_bounce_of(parsed),
            delivery__isnull=False,
        ).first()
        if bounced is not None and bounced.delivery is not None:
            delivery_bounce(
                delivery=bounced.delivery, reason=f"delivery report: {subject}", now=now
            )
            kept = _keep_raw(
                reason=f"delivery report for {bounced.message_id}",
                state=Message.State.UNMATCHED if bounced.case is None else Message.State.RECORDED,
                automatic=why_automatic,
                **common,
            )
            kept.case = bounced.case
            kept.save(update_fields=["case"])
            return Received(kept, "bounce")
    if seen["recent"] >= RATE_LIMIT:
        reason = f"{sender} sent more than {RATE_LIMIT} messages in an hour; held for a person"
        return Received(
            _keep_raw(reason=reason, automatic=why_automatic, **common), "rejected", reason
        )

    def case_of_message(ids: list[str]) -> int | None:
        found = (
            Message.objects.filter(
                organisation=organisation, message_id__in=ids, case__isnull=False
            )
            .values_list("case_id", flat=True)
            .first()
        )
        return int(found) if found is not None else None

    def case_of_reference(reference: str) -> tuple[int, str] | None:
        row = (
            Case.objects.filter(organisation=organisation, reference=reference)
            .values_list("pk", "customer__email")
            .first()
        )
        return (int(row[0]), str(row[1] or "")) if row else None

    match = thread_match(
        in_reply_to=_header(parsed, "In-Reply-To"),
        references=_header(parsed, "References"),
        subject=subject,
        sender=sender,
        domain=mail_domain(),
        prefix=organisation.reference_prefix,
        case_of_message=case_of_message,
        case_of_reference=case_of_reference,
    )
    if match.case_key is not None:
        # Locked here, once, for the ledger append; whether it already waits in "new
        # replies" comes with it.
        case = (
            Case.objects.select_related("customer", "organisation")
            .select_for_update(of=("self",))
            .annotate(
                replies_waiting=Exists(
                    Message.objects.filter(case=OuterRef("pk"), needs_reading=True)
                )
            )
            .get(pk=match.case_key)
        )
        message = _record_on_case(
            case=case, parsed=parsed, common=common, automatic=why_automatic,
            sender_name=sender_name, now=now,
        )  # fmt: skip
        return Received(message, "recorded", match.detail)
    if match.detail or automatic is not None or not open_cases:
        reason = match.detail or (
            f"automatic mail ({why_automatic}) opens no case"
            if automatic
            else "no case matched, and this mailbox opens none"
        )
        kept = _keep_raw(
            reason=reason, state=Message.State.UNMATCHED, automatic=why_automatic, **common
        )
        return Received(kept, "unmatched", reason)
    return _open_case(parsed=parsed, common=common, sender_name=sender_name, now=now)


#: How many messages `plaint mail import` records per transaction.
BATCH = 100


def messages_receive(
    raws: Iterable[bytes],
    *,
    organisation: Organisation,
    source: str,
    now: datetime,
    open_cases: bool = True,
) -> list[Received]:
    """Record several received e-mails in one transaction, each exactly as
    `message_receive` records it (its own savepoint: its row, its evidence and its event
    together or not at all; a copy of an earlier one, even in the same batch, is
    recognised). One commit for the batch instead of one per message: a backlog imports
    faster, and a crash loses only the batch in progress, which the next import records
    (each message is recognised by its Message-ID). Mail to staff goes when it commits."""
    with transaction.atomic():
        return [
            message_receive(
                raw, organisation=organisation, source=source, now=now, open_cases=open_cases
            )
            for raw in raws
        ]


def _record_on_case(
    *,
    case: Case,
    parsed: mime.Message,
    common: dict[str, Any],
    automatic: str,
    sender_name: str,
    now: datetime,
) -> Message:
    text: str = common["text"]
    shown = text_trim(text) if text else ""
    actor = Actor.customer(case.customer.name)
    evidence_ids: list[int] = []
    refused: list[str] = []
    for filename, ctype, data in common["attachments"]:
        try:
            with transaction.atomic():
                item = case_evidence_attach(
                    case=case, filename=filename, stream=io.BytesIO(data), actor=actor, now=now,
                    content_type=ctype, description="Attached to an e-mail from the customer",
                    visibility=Visibility.CUSTOMER,
                )  # fmt: skip
        except FieldErrors as exc:
            refused.append("; ".join(exc.errors.values()))
        else:
            evidence_ids.append(item.pk)
    # The assignee is told when the case joins the "new replies" queue, not again for
    # each further message while it waits there.
    locked = hasattr(case, "replies_waiting")  # the caller locked it and asked
    if locked:
        already_waiting = bool(getattr(case, "replies_waiting"))  # noqa: B009 - annotated
    else:
        already_waiting = Message.objects.filter(case=case, needs_reading=True).exists()
    message = Message.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        direction=Message.Direction.IN,
        state=Message.State.RECORDED,
        message_id=common["message_id"][:998],
        in_reply_to=_header(parsed, "In-Reply-To")[:2000],
        references=_header(parsed, "References")[:10_000],
        sender=common["sender"],
        sender_name=header_text_clean(sender_name, max_length=200),
        to=_header(parsed, "To")[:2000],
        subject=common["subject"],
        text=text,
        text_shown=shown,
        html_safe=html_sanitise(common["html"]) if common["html"] else "",
        raw_sha256=common["sha"],
        raw_size=len(common["raw"]),
        source=common["source"][:40],
        automatic=automatic[:200],
        reason="; ".join(refused),
        needs_reading=not automatic,
        created_at=now,
    )
    if not locked or evidence_ids:  # attaching evidence moved the ledger: read it again
        case = case_lock(case)
    event_append(
        case=case,
        payload=ev.MessageReceived(
            message_pk=message.pk,
            message_id=message.message_id,
            sender=message.sender,
            subject=message.subject,
            text=shown,
            raw_sha256=message.raw_sha256,
            evidence_ids=evidence_ids,
            refused_attachments=refused,
            automatic=automatic,
        ),
        actor=actor,
        now=now,
        occurred_at=_sent_at(parsed, now),
        visibility=Visibility.CUSTOMER,
    )
    search.search_index(case=case, source=search.Source.CONTACT, body=shown)
    if not automatic:
        customer_replied(case=case, actor=actor, now=now, how="by e-mail")
    if not automatic and not already_waiting:
        send_on_commit(
            recipients_for_reminder(case),
            (
                f"[Plaint] {case.reference}: new e-mail from the customer",
                f"{case.customer.name} wrote about case {case.reference}:\n\n"
                f"  {message.subject}\n\nRead it on the case page.\n",
            ),
        )
    return message


def customer_replied(*, case: Case, actor: Actor, now: datetime, how: str) -> bool:
    """The customer answered (`how`: "by e-mail", "through the website"): a case awaiting
    them goes back to *investigating*, which restarts the clocks that pause while the
    business waits for the customer. Call inside the transaction that records the
    answer, with the case locked. Returns whether the case moved."""
    if case.status != CaseStatus.AWAITING_CUSTOMER:
        return False
    if CaseStatus.INVESTIGATING not in allowed_targets(case.status_enum):
        return False
    case_transition(
        case=case, to=CaseStatus.INVESTIGATING, actor=actor, now=now,
        reason=f"The customer replied {how}.",
    )  # fmt: skip
    case_deadlines_refresh(case=case, now=now)
    return True


def _open_case(
    *, parsed: mime.Message, common: dict[str, Any], sender_name: str, now: datetime
) -> Received:
    organisation: Organisation = common["organisation"]
    text: str = common["text"]
    description = (text_trim(text) if text else "") or common["subject"] or "(no text)"
    names = [header_text_clean(sender_name, max_length=200), common["sender"].split("@")[0]]
    intake = None
    problem = ""
    for name in [n for n in names if n]:
        try:
            with transaction.atomic():
                intake = complaint_receive(
                    now=now, organisation=organisation,
                    customer=CustomerDetails(name=name, email=common["sender"]),
                    channel="email", received_at=_sent_at(parsed, now),
                    description=description, product="", actor=Actor.customer(name),
                )  # fmt: skip
            break
        except FieldErrors as exc:
            problem = "; ".join(f"{k}: {v}" for k, v in exc.errors.items())
    if intake is None:
        reason = f"a case could not be opened from it ({problem})"
        kept = _keep_raw(reason=reason, state=Message.State.UNMATCHED, **common)
        return Received(kept, "unmatched", reason)
    message = _record_on_case(
        case=intake.case, parsed=parsed, common=common, automatic="",
        sender_name=sender_name, now=now,
    )  # fmt: skip
    try:
        with transaction.atomic():
            customer_notify(case=intake.case, moment=Moment.ACKNOWLEDGEMENT, now=now)
    except DomainError as exc:
        log.warning("No acknowledgement for %s: %s", intake.case.reference, exc)
    return Received(message, "new_case")


def replies_mark_read(*, case: Case) -> int:
    """Take the case out of the "new replies" queue: its received messages are read."""
    return Message.objects.filter(case=case, needs_reading=True).update(needs_reading=False)
