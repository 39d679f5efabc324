"""Webhooks: an organisation's endpoints, the messages each is sent, and their delivery.

A webhook is never sent from inside a request. The worker's outbox pass first runs
`webhooks_follow` (an outbox producer): it reads the ledger events recorded since the last
pass and writes one `WebhookMessage` per subscribed endpoint. Messages of one case to one
endpoint go out in order: only the oldest unsettled one is queued in the outbox (transport
``webhook``); the next is queued when it is delivered (`webhook_outcome`, the outbox's
outcome hook for purpose ``webhook``).

Delivery is at least once, with the same ``webhook-id`` every time: a worker that dies
mid-delivery leaves the outbox row `unknown`, and the hook sends it again. Failures are
retried with the outbox's exponential backoff (1, 2, 4 … minutes, at most 6 hours between
tries) for at least `RETRY_FOR` (24 hours); then the message is given up, the endpoint is
disabled and its admin is told by e-mail. An admin can enable it again and replay any
message."""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import require_aware
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import EventKind
from plaint.outbox.models import Delivery
from plaint.outbox.services import BACKOFF_CAP, delivery_enqueue, delivery_resolve

from .models import WebhookAttempt, WebhookCursor, WebhookEndpoint, WebhookMessage
from .webhook_transport import AddressRefused, address_check, secret_make

PURPOSE = "webhook"
TRANSPORT = "webhook"
RETRY_FOR = timedelta(hours=24)
BATCH = 500

M = WebhookMessage.State
D = Delivery.Status

#: Ledger kinds that belong to the case itself, named ``case.<kind>``; every other kind
#: is named after its first word: ``deadline_breached`` → ``deadline.breached``.
_CASE_LEVEL = {"status_changed", "priority_changed", "milestone_recorded"}
_TWO_WORDS = ("legal_review", "legal_hold", "cease_desist", "fos_eligibility")


def event_type(kind: str) -> str:
    """The webhook name of a ledger kind: ``case.opened``, ``case.status_changed``,
    ``deadline.breached``, ``letter.sent``, ``message.received`` …"""
    if kind in _CASE_LEVEL:
        return f"case.{kind}"
    for head in _TWO_WORDS:
        if kind.startswith(head + "_"):
            return f"{head}.{kind[len(head) + 1 :]}"
    first, _, rest = kind.partition("_")
    return f"{first}.{rest}" if rest else f"case.{kind}"


EVENT_TYPES = sorted(event_type(k.value) for k in EventKind)


# ------------------------------------------------------------------ endpoints


def _kinds_checked(kinds: list[str]) -> list[str]:
    unknown = sorted(set(kinds) - set(EVENT_TYPES))
    if unknown:
        raise FieldErrors(
            {"kinds": f"unknown event kinds: {', '.join(unknown)} (see GET /webhooks/kinds)"}
        )
    return sorted(set(kinds))


def endpoint_create(
    *,
    organisation: Organisation,
    url: str,
    kinds: list[str],
    description: str,
    actor: User,
    now: datetime,
) -> WebhookEndpoint:
    """A new endpoint of `organisation`. The URL must be http(s) and resolve to public
    addresses only (see `webhook_transport`); the secret is made here."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    url = url.strip()
    if not url:
        errors["url"] = "is required"
    elif len(url) > 2000:
        errors["url"] = "is longer than 2,000 characters"
    else:
        try:
            address_check(url)
        except AddressRefused as exc:
            errors["url"] = str(exc)
    if len(description) > 200:
        errors["description"] = "is longer than 200 characters"
    try:
        chosen = _kinds_checked(kinds)
    except FieldErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FieldErrors(errors)
    with transaction.atomic():
        _cursor()  # the ledger is followed from here on, not from its start
        return WebhookEndpoint.objects.create(
            organisation=organisation,
            url=url,
            description=description,
            kinds=chosen,
            secret=secret_make(),
            created_at=now,
            created_by=actor,
        )


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, now: datetime) -> WebhookEndpoint:
    require_aware(now=now)
    if endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = now, reason[:300]
        endpoint.save(update_fields=["disabled_at", "disabled_reason"])
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookEndpoint:
    """Enable again; the messages left waiting go out from the next worker pass."""
    require_aware(now=now)
    with transaction.atomic():
        endpoint.disabled_at, endpoint.disabled_reason = None, ""
        endpoint.save(update_fields=["disabled_at", "disabled_reason"])
        _release_all(endpoint=endpoint, now=now)
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        Delivery.objects.filter(
            pk__in=endpoint.messages.exclude(delivery_id=None).values("delivery_id"),
            status__in=[D.QUEUED, D.DEFERRED],
        ).update(status=D.FAILED, last_error="the webhook endpoint was deleted")
        endpoint.delete()


def message_replay(*, message: WebhookMessage, now: datetime) -> WebhookMessage:
    """Send a message again (same ``webhook-id``), whatever happened to it before."""
    require_aware(now=now)
    if message.endpoint.disabled_at is not None:
        raise DomainError("The endpoint is disabled; enable it before replaying its messages.")
    with transaction.atomic():
        message = WebhookMessage.objects.select_for_update().get(pk=message.pk)
        if message.state == M.PENDING:
            raise DomainError(f"Message {message.msg_id} is already queued for delivery.")
        _queue(message, now=now)
    return message


def endpoints_of(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation)


def endpoint_get(*, organisation: Organisation, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, if it is `organisation`'s; else WebhookEndpoint.DoesNotExist."""
    return WebhookEndpoint.objects.get(organisation=organisation, pk=endpoint_id)


def attempts_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(endpoint=endpoint).select_related("message")


def messages_of(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookMessage]:
    return WebhookMessage.objects.filter(endpoint=endpoint)


# ------------------------------------------------------------------ following the ledger


def _body(event: CaseEvent, type_: str) -> bytes:
    data = {
        "type": type_,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "case": event.case.reference,
            "seq": event.seq,
            "kind": event.kind,
            "actor": event.actor_label,
            "visibility": event.visibility,
            "recorded_at": event.recorded_at.isoformat(),
            "event": json.loads(event.clear_payload),
        },
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_bodies_erase(case: Case) -> int:
    """An erasure's part (`plaint.records.erasure`): rewrite the kept body of every webhook
    message of the case from its event as the ledger now reads it, without the personal
    values the erasure deleted. A message not yet delivered goes out so; one delivered
    keeps its id and signature log, and no copy of what was erased."""
    messages = list(
        WebhookMessage.objects.filter(case_id=case.pk).only("pk", "event_id", "event_type")
    )
    events = CaseEvent.objects.select_related("case").in_bulk({m.event_id for m in messages})
    for message in messages:
        event = events.get(message.event_id)
        body = _body(event, message.event_type) if event is not None else b"{}"
        WebhookMessage.objects.filter(pk=message.pk).update(body=body)
    return len(messages)


def _cursor() -> WebhookCursor:
    cursor = WebhookCursor.objects.select_for_update().filter(pk=1).first()
    if cursor is None:
        newest = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
        cursor = WebhookCursor.objects.create(pk=1, last_event_id=newest)
    return cursor


def webhooks_follow(now: datetime) -> int:
    """Write the messages of the ledger events recorded since the last pass and queue
    the first of each case's line; how many messages were written."""
    made = 0
    with transaction.atomic():
        cursor = _cursor()
        start = cursor.last_event_id
        endpoints = list(WebhookEndpoint.objects.all())
        if not endpoints:
            newest = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
            if newest > start:
                cursor.last_event_id = newest
                cursor.save(update_fields=["last_event_id"])
            return 0
        events = list(
            CaseEvent.objects.filter(id__gt=start).select_related("case").order_by("id")[:BATCH]
        )
        if not events:
            return 0
        by_org: dict[int, list[WebhookEndpoint]] = {}
        for endpoint in endpoints:
            by_org.setdefault(endpoint.organisation_id, []).append(endpoint)
        touched: set[tuple[int, int]] = set()
        for event in events:
            type_ = event_type(event.kind)
            for endpoint in by_org.get(event.organisation_id, ()):
                if endpoint.kinds and type_ not in endpoint.kinds:
                    continue
                if event.recorded_at < endpoint.created_at:
                    continue
                WebhookMessage.objects.create(
                    endpoint=endpoint,
                    msg_id="msg_" + secrets.token_hex(12),
                    event_type=type_,
                    event_id=event.pk,
                    case_id=event.case_id,
                    body=_body(event, type_),
                    state=M.WAITING,
                    created_at=now,
                )
                touched.add((endpoint.pk, event.case_id))
                made += 1
        cursor.last_event_id = events[-1].pk
        cursor.save(update_fields=["last_event_id"])
        by_pk = {e.pk: e for e in endpoints}
        for endpoint_id, case_id in sorted(touched):
            if by_pk[endpoint_id].disabled_at is None:
                _release(endpoint_id=endpoint_id, case_id=case_id, now=now)
    return made


def _queue(message: WebhookMessage, *, now: datetime, at: datetime | None = None) -> None:
    delivery = delivery_enqueue(
        transport=TRANSPORT,
        purpose=PURPOSE,
        payload=json.dumps({"message": message.pk}).encode(),
        recipients=[message.endpoint.url],
        organisation=message.endpoint.organisation,
        now=now,
    )
    if at is not None:
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=at)
    message.state, message.delivery_id, message.settled_at = M.PENDING, delivery.pk, None
    message.save(update_fields=["state", "delivery_id", "settled_at"])


def _release(*, endpoint_id: int, case_id: int | None, now: datetime) -> None:
    """Queue the oldest waiting message of this endpoint and case, unless one is queued."""
    line = WebhookMessage.objects.filter(endpoint_id=endpoint_id, case_id=case_id)
    if line.filter(state=M.PENDING).exists():
        return
    head = line.filter(state=M.WAITING).select_related("endpoint").order_by("id").first()
    if head is not None:
        _queue(head, now=now)


def _release_all(*, endpoint: WebhookEndpoint, now: datetime) -> None:
    cases = (
        WebhookMessage.objects.filter(endpoint=endpoint, state=M.WAITING)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for case_id in list(cases):
        _release(endpoint_id=endpoint.pk, case_id=case_id, now=now)


def webhook_outcome(delivery: Delivery, now: datetime) -> None:
    """The outbox's outcome hook for webhook deliveries, in the transaction recording it."""
    message = (
        WebhookMessage.objects.select_for_update(of=("self",))
        .select_related("endpoint", "endpoint__organisation", "endpoint__created_by")
        .filter(delivery_id=delivery.pk)
        .first()
    )
    if message is None:
        return
    endpoint = message.endpoint
    if delivery.status == D.SENT:
        message.state, message.settled_at = M.DELIVERED, now
        message.save(update_fields=["state", "settled_at"])
        _release(endpoint_id=endpoint.pk, case_id=message.case_id, now=now)
    elif delivery.status == D.UNKNOWN:
        # The worker stopped mid-delivery: at least once, so send it again (same id).
        delivery_resolve(
            delivery=delivery, arrived=False, by="webhooks (delivered at least once)", now=now
        )
    elif delivery.status == D.FAILED and now - message.created_at < RETRY_FOR:
        _queue(message, now=now, at=now + BACKOFF_CAP)
    elif delivery.status in (D.FAILED, D.BOUNCED):
        message.state, message.settled_at = M.FAILED, now
        message.save(update_fields=["state", "settled_at"])
        if delivery.status == D.FAILED and endpoint.disabled_at is None:
            reason = (
                f"disabled by Plaint on {now:%Y-%m-%d %H:%M} UTC: message {message.msg_id} "
                f"failed for {RETRY_FOR.total_seconds() / 3600:.0f} hours ({delivery.last_error})"
            )
            endpoint_disable(endpoint=endpoint, reason=reason, now=now)
            _tell_admin(endpoint, now)
        elif endpoint.disabled_at is None:
            _release(endpoint_id=endpoint.pk, case_id=message.case_id, now=now)


def _tell_admin(endpoint: WebhookEndpoint, now: datetime) -> None:
    """An e-mail to the admin who made the endpoint, through the outbox."""
    admin = endpoint.created_by
    if admin is None or not admin.email:
        return
    sender = str(settings.DEFAULT_FROM_EMAIL) or "plaint@localhost"
    mail = EmailMessage()
    mail["From"], mail["To"] = sender, admin.email
    mail["Subject"] = "Plaint: a webhook endpoint was disabled"
    mail["Date"], mail["Message-ID"] = format_datetime(now), make_msgid(domain="plaint")
    mail.set_content(
        f"Hello {admin.get_full_name() or admin.get_username()},\n\n"
        f"Plaint stopped sending webhooks to {endpoint.url} (endpoint #{endpoint.pk} of "
        f"{endpoint.organisation.name}): it kept failing for "
        f"{RETRY_FOR.total_seconds() / 3600:.0f} hours.\n\n{endpoint.disabled_reason}\n\n"
        "Its delivery log is at GET /api/v1/webhooks/{id}/attempts. Once the receiver works "
        "again, enable the endpoint (POST /api/v1/webhooks/{id}/enable): the messages left "
        "waiting go out in order, and any message can be replayed.\n".replace(
            "{id}", str(endpoint.pk)
        )
    )
    delivery_enqueue(
        transport="smtp",
        purpose="webhook-disabled",
        payload=mail.as_bytes(),
        recipients=[admin.email],
        sender=sender,
        organisation=endpoint.organisation,
        now=now,
    )
