"""Customers told by e-mail at the moments that matter, by following the ledger.

Each outbox pass reads the case events recorded since the last pass and, for those that
are a moment (an offer made, the case waiting for the customer's information, the final
response sent, a case opened other than by e-mail or the portal), queues the
organisation's notification for it (`outbound.customer_notify`; a moment turned off sends
nothing). The cursor moves in the same transaction as each notification, so each event is
considered once. The acknowledgement of mail that opens a case is sent when it is
received (`inbound`); a new private link is sent by whoever makes it, with
`customer_notify(moment="new_link", link=...)`."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Max

from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain.errors import DomainError
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.messaging.moments import Moment
from plaint.messaging.models import NotificationCursor
from plaint.messaging.outbound import customer_notify

log = logging.getLogger(__name__)

_KINDS = (
    ev.EventKind.CASE_OPENED.value,
    ev.EventKind.RESOLUTION_OFFERED.value,
    ev.EventKind.STATUS_CHANGED.value,
    ev.EventKind.MILESTONE_RECORDED.value,
)
#: Channels whose intake already tells the customer (e-mail: at receipt; web: the portal).
_TOLD_AT_INTAKE = {"email", "web"}
BATCH = 500


def moment_of(kind: str, payload_json: str) -> Moment | None:
    """The notification moment an event is, if any."""
    payload = ev.payload_from_json(kind, payload_json)
    if isinstance(payload, ev.ResolutionOffered):
        return Moment.OFFER
    if (
        isinstance(payload, ev.StatusChanged)
        and payload.to_status == CaseStatus.AWAITING_CUSTOMER.value
    ):
        return Moment.INFORMATION_REQUEST
    if isinstance(payload, ev.MilestoneRecorded) and payload.milestone == "final_response_sent":
        return Moment.FINAL_RESPONSE
    if isinstance(payload, ev.CaseOpened) and payload.channel not in _TOLD_AT_INTAKE:
        return Moment.ACKNOWLEDGEMENT if not payload.source else None  # imports: no mail
    return None


def _cursor(now: datetime) -> NotificationCursor:
    cursor = NotificationCursor.objects.select_for_update().filter(pk=1).first()
    if cursor is None:
        newest = CaseEvent.objects.aggregate(m=Max("id"))["m"] or 0
        cursor = NotificationCursor.objects.create(pk=1, last_event_id=newest, updated_at=now)
    return cursor


def notifications_follow(now: datetime) -> int:
    """Queue the notifications of the events recorded since the last call; how many."""
    sent = 0
    with transaction.atomic():
        start = _cursor(now).last_event_id
    high = CaseEvent.objects.filter(id__gt=start).aggregate(m=Max("id"))["m"]
    if high is None:
        return 0
    rows = list(
        CaseEvent.objects.filter(id__gt=start, id__lte=high, kind__in=_KINDS)
        .order_by("id")
        .values_list("id", "case_id", "kind", "visibility", "payload")[:BATCH]
    )
    if len(rows) == BATCH:
        high = rows[-1][0]
    for event_id, case_id, kind, visibility, payload in rows:
        # Staff's internal changes are not news for the customer; milestones are always
        # recorded internally, and the final response is the customer's news all the same.
        told = visibility == "customer" or kind == ev.EventKind.MILESTONE_RECORDED.value
        moment = moment_of(kind, payload) if told else None
        with transaction.atomic():
            cursor = _cursor(now)
            if cursor.last_event_id >= event_id:
                continue  # another worker took it
            if moment is not None:
                case = Case.objects.select_related("customer", "organisation").get(pk=case_id)
                try:
                    with transaction.atomic():
                        if customer_notify(case=case, moment=moment, now=now) is not None:
                            sent += 1
                except DomainError as exc:
                    log.warning("No %s notification for %s: %s", moment, case.reference, exc)
            cursor.last_event_id, cursor.updated_at = event_id, now
            cursor.save(update_fields=["last_event_id", "updated_at"])
    with transaction.atomic():
        cursor = _cursor(now)
        if cursor.last_event_id < high:
            cursor.last_event_id, cursor.updated_at = high, now
            cursor.save(update_fields=["last_event_id", "updated_at"])
    return sent
