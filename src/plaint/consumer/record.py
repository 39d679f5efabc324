"""The only writer of `ConsumerEvent`: one hash-chained event per change of a consumer's
case file, in the caller's transaction (the same chain as a business case's ledger,
`plaint.domain.ledger`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from plaint.consumer.models import ConsumerCase, ConsumerEvent
from plaint.domain.events import Payload
from plaint.domain.ledger import ChainHead, LedgerEntry, chain_hash, event_row, verify_chain

ACTOR = ("customer", "the consumer")


def _entry(case: ConsumerCase, seq: int, kind: str, occurred: datetime, recorded: datetime,
           payload_json: str) -> LedgerEntry:  # fmt: skip
    return LedgerEntry(
        case=f"consumer-{case.pk}",
        seq=seq,
        kind=kind,
        occurred_at=occurred,
        recorded_at=recorded,
        actor_kind=ACTOR[0],
        actor_id=None,
        actor_label=ACTOR[1],
        visibility="customer",
        payload_json=payload_json,
    )


def record_append(
    *, case: ConsumerCase, payload: Payload, now: datetime, changed: Iterable[str] = ()
) -> ConsumerEvent:
    """Append one event to a locked case and save its `changed` fields with the new head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_append must run inside the service's transaction")
    seq = case.ledger_length + 1
    text = payload.to_json()
    entry = _entry(case, seq, payload.kind.value, now, now, text)
    digest = chain_hash(case.ledger_head, entry)
    row = ConsumerEvent.objects.create(
        case=case,
        seq=seq,
        kind=payload.kind.value,
        occurred_at=now,
        recorded_at=now,
        payload=text,
        prev_hash=case.ledger_head,
        hash=digest,
    )
    case.ledger_length, case.ledger_head, case.updated_at = seq, digest, now
    case.save(update_fields=[*changed, "ledger_length", "ledger_head", "updated_at"])
    return row


def record_verify(case: ConsumerCase) -> list[str]:
    """What is wrong with the case's record (nothing: every event chained, none altered,
    none cut off the end)."""
    rows = (
        event_row(
            case.pk,
            _entry(case, e.seq, e.kind, e.occurred_at, e.recorded_at, e.payload),
            e.prev_hash,
            e.hash,
        )
        for e in case.events.order_by("seq")
    )
    head = ChainHead(case.pk, f"consumer-{case.pk}", case.ledger_length, case.ledger_head)
    return [str(link) for link in verify_chain(rows, [head]).broken]
