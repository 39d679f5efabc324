"""The hash chain that makes a case's ledger tamper-evident.

Each event's hash is ``SHA-256(prev_hash + canonical JSON of the event)``; the first
event of a case chains from `GENESIS`. Changing, removing or reordering any stored
event breaks the chain from that point on, and `verify_chain` names the first broken link.
The case row also keeps the head of its chain (length and last hash), so cutting events
off the end of a chain is caught too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby

GENESIS = "0" * 64

_quote = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The hashed content of one event. `payload_json` must already be canonical JSON."""

    case: str
    seq: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    actor_kind: str
    actor_id: int | None
    actor_label: str
    visibility: str
    payload_json: str


def _time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("Ledger times must be timezone-aware.")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_entry(entry: LedgerEntry) -> str:
    """The canonical JSON of an event: the same text as ``json.dumps(..., sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` of its fields, built without re-parsing
    the payload (a test holds the two equal)."""
    actor_id = "null" if entry.actor_id is None else str(int(entry.actor_id))
    return (
        f'{{"actor_id":{actor_id},"actor_kind":{_quote(entry.actor_kind)},'
        f'"actor_label":{_quote(entry.actor_label)},"case":{_quote(entry.case)},'
        f'"kind":{_quote(entry.kind)},"occurred_at":"{_time(entry.occurred_at)}",'
        f'"payload":{entry.payload_json},"recorded_at":"{_time(entry.recorded_at)}",'
        f'"seq":{int(entry.seq)},"visibility":{_quote(entry.visibility)}}}'
    )


def chain_hash(prev_hash: str, entry: LedgerEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_entry(entry)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as read back from storage, with the hashes it was saved with. `chain`
    names the case's chain in storage (its row id, say)."""

    chain: str
    entry: LedgerEntry
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainHead:
    """What the case row says the end of its chain is."""

    chain: str
    length: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    case: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"{self.case} event #{self.seq}: {self.reason}"


@dataclass(slots=True)
class VerificationReport:
    cases: int = 0
    events: int = 0
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def verify_chain(events: Iterable[StoredEvent], heads: Iterable[ChainHead]) -> VerificationReport:
    """Recompute every chain. `events` must come ordered by chain, then seq; `heads` gives
    each case's recorded chain end. Reports the first broken link of every broken case."""
    report = VerificationReport()
    expected = {head.chain: head for head in heads}
    seen: set[str] = set()
    for case, chain in groupby(events, key=lambda stored: stored.chain):
        seen.add(case)
        report.cases += 1
        prev, length, broken = GENESIS, 0, None
        for stored in chain:
            report.events += 1
            if broken is not None:
                continue
            length += 1
            entry = stored.entry
            if entry.seq != length:
                broken = BrokenLink(
                    case,
                    entry.seq,
                    f"expected event #{length}: an event is missing or out of order",
                )
            elif stored.prev_hash != prev:
                broken = BrokenLink(
                    case, entry.seq, "prev_hash does not match the previous event's hash"
                )
            elif chain_hash(prev, entry) != stored.hash:
                broken = BrokenLink(
                    case, entry.seq, "content does not match its hash: the event was altered"
                )
            prev = stored.hash
        head = expected.get(case)
        if broken is None and head is not None and (head.length, head.head_hash) != (length, prev):
            broken = BrokenLink(
                case,
                length,
                f"the case records {head.length} events ending "
                f"in {head.head_hash[:12]}..., the ledger holds {length} ending "
                f"in {prev[:12]}...: events were removed or added",
            )
        if broken is not None:
            report.broken.append(broken)
    for case, head in expected.items():
        if case not in seen and head.length:
            report.cases += 1
            report.broken.append(
                BrokenLink(
                    case, 1, f"the case records {head.length} events but the ledger holds none"
                )
            )
    return report
