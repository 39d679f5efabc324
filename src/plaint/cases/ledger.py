"""Writing and checking the case ledger. `event_append` is the only writer of `CaseEvent`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent
from plaint.domain.events import Payload
from plaint.domain.ledger import (
    BrokenLink,
    ChainHead,
    LedgerEntry,
    StoredEvent,
    VerificationReport,
    chain_hash,
    verify_chain,
)
from plaint.domain.vocabulary import ActorKind, Visibility


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a member of staff, the customer, or Plaint itself."""

    kind: ActorKind
    label: str
    user: User | None = None

    @classmethod
    def staff(cls, user: User) -> Actor:
        return cls(ActorKind.STAFF, user.display_name, user)

    @classmethod
    def customer(cls, name: str) -> Actor:
        return cls(ActorKind.CUSTOMER, name)

    @classmethod
    def system(cls, label: str = "Plaint") -> Actor:
        return cls(ActorKind.SYSTEM, label)


def entry_build(
    *,
    case: Case,
    seq: int,
    payload: Payload,
    actor: Actor,
    occurred_at: datetime,
    recorded_at: datetime,
    visibility: Visibility,
) -> tuple[LedgerEntry, CaseEvent]:
    """The hashed entry and the unsaved row for event number `seq` of `case`. The case's
    ledger head must be that of event `seq - 1`; the head is advanced on `case`."""
    entry = LedgerEntry(
        case=case.reference,
        seq=seq,
        kind=payload.kind.value,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor_kind=actor.kind.value,
        actor_id=actor.user.pk if actor.user else None,
        actor_label=actor.label,
        visibility=visibility.value,
        payload_json=payload.to_json(),
    )
    prev = case.ledger_head
    digest = chain_hash(prev, entry)
    row = CaseEvent(
        organisation_id=case.organisation_id,
        case=case,
        seq=seq,
        kind=entry.kind,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        actor=actor.user,
        actor_kind=entry.actor_kind,
        actor_label=entry.actor_label,
        visibility=entry.visibility,
        payload=entry.payload_json,
        prev_hash=prev,
        hash=digest,
    )
    case.ledger_length, case.ledger_head = seq, digest
    return entry, row


def event_append(
    *,
    case: Case,
    payload: Payload,
    actor: Actor,
    now: datetime,
    changed: list[str] | tuple[str, ...] = (),
    occurred_at: datetime | None = None,
    visibility: Visibility = Visibility.INTERNAL,
) -> CaseEvent:
    """Append one event to a locked, saved case and save the case's `changed` fields with
    its new ledger head, in the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_append must run inside the service's transaction")
    _, row = entry_build(
        case=case,
        seq=case.ledger_length + 1,
        payload=payload,
        actor=actor,
        occurred_at=occurred_at or now,
        recorded_at=now,
        visibility=visibility,
    )
    row.save(force_insert=True)
    case.updated_at = now
    case.save(update_fields=[*changed, "ledger_length", "ledger_head", "updated_at"])
    return row


_COLUMNS = (
    "case_id",
    "case__reference",
    "seq",
    "kind",
    "occurred_at",
    "recorded_at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "visibility",
    "payload",
    "prev_hash",
    "hash",
)


def _stored(rows: Iterator[tuple]) -> Iterator[StoredEvent]:  # type: ignore[type-arg]
    for case_id, ref, seq, kind, occ, rec, akind, aid, alabel, vis, payload, prev, dig in rows:
        entry = LedgerEntry(ref, seq, kind, occ, rec, akind, aid, alabel, vis, payload)
        yield StoredEvent(str(case_id), entry, prev, dig)


def ledger_verify(
    *, organisation: Organisation | None = None, reference: str | None = None
) -> VerificationReport:
    """Recompute the hash chains of one case, one organisation's cases, or all cases."""
    cases = Case.objects.all()
    events = CaseEvent.objects.all()
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
        events = events.filter(organisation=organisation)
    if reference is not None:
        cases = cases.filter(reference=reference)
        events = events.filter(case__reference=reference)
    heads = [
        ChainHead(str(pk), length, head)
        for pk, length, head in cases.values_list("pk", "ledger_length", "ledger_head")
    ]
    rows = events.order_by("case_id", "seq").values_list(*_COLUMNS)
    report = verify_chain(_stored(rows.iterator(chunk_size=10_000)), heads)
    if report.broken:
        names = {
            str(pk): f"{slug}/{ref}"
            for pk, slug, ref in Case.objects.filter(
                pk__in=[int(b.case) for b in report.broken]
            ).values_list("pk", "organisation__slug", "reference")
        }
        report.broken = [
            BrokenLink(names.get(b.case, b.case), b.seq, b.reason) for b in report.broken
        ]
    return report
