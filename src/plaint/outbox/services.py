"""Writing to the outbox and delivering from it.

A delivery moves queued → claimed → sending → sent | deferred | bounced | failed, and is
sent at most once: a worker marks it `sending` (committed) before it talks to the server
and records the answer afterwards. A worker that dies in between leaves it `sending`;
when its lease runs out the next pass marks it `unknown` and flags it for a person,
because the server may have accepted it. It is never sent again by itself: a person says
whether it arrived (`delivery_resolve`).

Claiming takes the oldest due rows with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL,
so several workers share the queue; SQLite has one writer at a time, and the claim's
transaction (BEGIN IMMEDIATE) is that writer."""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F

from plaint.accounts.models import Organisation
from plaint.cases.services import require_aware
from plaint.domain.errors import DomainError, FieldErrors
from plaint.outbox.models import Delivery
from plaint.outbox.transports import (
    Accepted,
    Permanent,
    Transient,
    outcome_hook,
    producers,
    transport_get,
)

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
#: Attempts before a delivery that keeps failing for passing reasons is given up.
MAX_ATTEMPTS = 8
#: How long a worker holds what it claimed; a `sending` row older than this is unknown.
LEASE = timedelta(minutes=5)
BATCH = 200

S = Delivery.Status


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4 ... minutes, at most 6 hours."""
    wait: timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(wait, BACKOFF_CAP)


def delivery_enqueue(
    *,
    transport: str,
    purpose: str,
    payload: bytes,
    recipients: list[str],
    now: datetime,
    sender: str = "",
    organisation: Organisation | None = None,
) -> Delivery:
    """Queue one delivery, in the caller's transaction (so it exists only if the caller's
    change commits)."""
    require_aware(now=now)
    try:
        transport_get(transport)
    except LookupError as exc:
        raise FieldErrors({"transport": str(exc)}) from None
    if not recipients:
        raise FieldErrors({"recipients": "at least one recipient is needed"})
    return Delivery.objects.create(
        organisation=organisation,
        transport=transport,
        purpose=purpose,
        sender=sender,
        recipients=list(recipients),
        payload=payload,
        status=S.QUEUED,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _hook(delivery: Delivery, now: datetime) -> None:
    hook = outcome_hook(delivery.purpose)
    if hook is not None:
        hook(delivery, now)


def deliveries_sweep(*, now: datetime) -> int:
    """Release claims whose worker went away before trying them, and flag as `unknown`
    every delivery left `sending` past its lease. Returns how many were flagged."""
    Delivery.objects.filter(status=S.CLAIMED, lease_until__lt=now).update(
        status=S.QUEUED, claimed_by="", lease_until=None, updated_at=now
    )
    flagged = 0
    stale = Delivery.objects.filter(status=S.SENDING, lease_until__lt=now)
    for pk in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            delivery = Delivery.objects.select_for_update().get(pk=pk)
            if delivery.status != S.SENDING:
                continue
            delivery.status = S.UNKNOWN
            delivery.last_error = (
                f"the worker {delivery.claimed_by} stopped while sending; the server may "
                "have accepted it. Check with the recipient, then mark it sent or send it again."
            )
            delivery.updated_at = now
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            _hook(delivery, now)
            flagged += 1
    return flagged


def deliveries_claim(*, now: datetime, worker: str, limit: int = BATCH) -> list[int]:
    """Claim up to `limit` due deliveries for `worker`, oldest first."""
    with transaction.atomic():
        due = Delivery.objects.filter(
            status__in=[S.QUEUED, S.DEFERRED], next_attempt_at__lte=now
        ).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=S.CLAIMED, claimed_by=worker, lease_until=now + LEASE, updated_at=now
            )
    return ids


def _mark_sending(delivery: Delivery, worker: str, now: datetime) -> bool:
    """Mark a delivery this worker claimed as being sent (committed before anything is
    said to the server); False when it is no longer this worker's to send."""
    lease = now + LEASE
    taken = Delivery.objects.filter(pk=delivery.pk, status=S.CLAIMED, claimed_by=worker).update(
        status=S.SENDING, attempts=F("attempts") + 1, lease_until=lease, updated_at=now
    )
    if taken:
        delivery.status, delivery.attempts = S.SENDING, delivery.attempts + 1
        delivery.lease_until, delivery.updated_at = lease, now
    return bool(taken)


def _record(
    delivery: Delivery,
    *,
    now: datetime,
    worker: str,
    accepted: Accepted | None = None,
    transient: str = "",
    permanent: str = "",
) -> Delivery:
    """Record the server's answer for a delivery this worker is sending, and call its
    outcome hook in the same transaction."""
    row = delivery
    if accepted is not None:
        row.status, row.server_reply, row.accepted_at = S.SENT, accepted.reply, now
    elif permanent:
        row.status, row.last_error = S.BOUNCED, permanent
    elif row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = S.FAILED, f"gave up after {row.attempts} attempts: {transient}"
    else:
        row.status, row.last_error = S.DEFERRED, transient
        row.next_attempt_at = now + backoff(row.attempts)
    row.claimed_by, row.lease_until, row.updated_at = "", None, now
    with transaction.atomic():
        done = Delivery.objects.filter(pk=row.pk, status=S.SENDING, claimed_by=worker).update(
            **{name: getattr(row, name) for name in _OUTCOME_FIELDS}
        )
        if done and row.status != S.DEFERRED:
            _hook(row, now)
    return row


_OUTCOME_FIELDS = [
    "status",
    "server_reply",
    "accepted_at",
    "last_error",
    "next_attempt_at",
    "claimed_by",
    "lease_until",
    "updated_at",
]


@dataclass
class RunReport:
    sent: int = 0
    deferred: int = 0
    bounced: int = 0
    failed: int = 0
    unknown: int = 0

    def __str__(self) -> str:
        return (
            f"Outbox: {self.sent} sent, {self.deferred} deferred, {self.bounced} bounced, "
            f"{self.failed} failed, {self.unknown} flagged unknown."
        )


def deliveries_run(
    *, now: datetime, worker: str | None = None, limit: int = BATCH, batches: int = 50
) -> RunReport:
    """One pass of the outbox: sweep, then claim and deliver due rows, batch after batch
    (at most `batches` of `limit`), each transport over one session per batch."""
    require_aware(now=now)
    who = worker or worker_name()
    for produce in producers():
        try:
            produce(now)
        except Exception:  # a producer's failure must not stop delivery
            log.exception("Outbox producer failed")
    report = RunReport(unknown=deliveries_sweep(now=now))
    for _ in range(batches):
        ids = deliveries_claim(now=now, worker=who, limit=limit)
        if not ids:
            break
        by_transport: dict[str, list[Delivery]] = {}
        for row in Delivery.objects.filter(pk__in=ids).order_by("id"):
            by_transport.setdefault(row.transport, []).append(row)
        for name, rows in by_transport.items():
            with transport_get(name).session() as session:
                for delivery in rows:
                    if not _mark_sending(delivery, who, now):
                        continue
                    try:
                        accepted = session.send(
                            sender=delivery.sender,
                            recipients=list(delivery.recipients),
                            payload=bytes(delivery.payload),
                        )
                    except Permanent as exc:
                        _record(delivery, now=now, worker=who, permanent=str(exc))
                        report.bounced += 1
                    except Transient as exc:
                        done = _record(delivery, now=now, worker=who, transient=str(exc))
                        if done.status == S.FAILED:
                            report.failed += 1
                        else:
                            report.deferred += 1
                    else:
                        _record(delivery, now=now, worker=who, accepted=accepted)
                        report.sent += 1
    return report


def delivery_resolve(*, delivery: Delivery, arrived: bool, by: str, now: datetime) -> Delivery:
    """A person's decision on a delivery whose fate is unknown: it `arrived` (recorded as
    sent), or it did not and is queued to be sent again."""
    require_aware(now=now)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if row.status != S.UNKNOWN:
            raise DomainError(
                f"Delivery #{row.pk} is {row.get_status_display().lower()}, not unknown."
            )
        row.resolved_by = by[:200]
        row.updated_at = now
        if arrived:
            row.status, row.server_reply = S.SENT, f"confirmed by {by}"
            row.accepted_at = row.accepted_at or now
        else:
            row.status, row.next_attempt_at = S.QUEUED, now
            row.last_error = f"sent again on the word of {by}"
        row.save(update_fields=[*_OUTCOME_FIELDS, "resolved_by"])
        _hook(row, now)
    return row


def delivery_bounce(*, delivery: Delivery, reason: str, now: datetime) -> Delivery:
    """A delivery report came back for a delivery the server had accepted: it bounced.
    A second report for the same delivery changes nothing."""
    require_aware(now=now)
    with transaction.atomic():
        row = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if row.status == S.BOUNCED:
            return row
        row.status, row.last_error, row.updated_at = S.BOUNCED, reason[:2000], now
        row.save(update_fields=["status", "last_error", "updated_at"])
        _hook(row, now)
    return row
