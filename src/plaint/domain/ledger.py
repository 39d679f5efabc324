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
import json.encoder
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter

GENESIS = "0" * 64

# The C string quoter json.dumps(..., ensure_ascii=False) uses for str values.
_quote = json.encoder.encode_basestring


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The hashed content of one event. `payload_json` must already be canonical JSON.
    Times are aware datetimes, or (when read back in bulk) their canonical text as
    `canonical_time` spells it."""

    case: str
    seq: int
    kind: str
    occurred_at: datetime | str
    recorded_at: datetime | str
    actor_kind: str
    actor_id: int | None
    actor_label: str
    visibility: str
    payload_json: str


def canonical_time(value: datetime) -> str:
    """``2026-03-02T10:30:00.000000+00:00``: UTC, always with microseconds."""
    if value.tzinfo is None:
        raise ValueError("Ledger times must be timezone-aware.")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _time(value: datetime | str) -> str:
    return value if isinstance(value, str) else canonical_time(value)


def _canonical(
    case: str,
    seq: int,
    kind: str,
    occurred_at: str,
    recorded_at: str,
    actor_id: int | None,
    actor_kind: str,
    actor_label: str,
    visibility: str,
    payload_json: str,
) -> str:
    actor = "null" if actor_id is None else str(int(actor_id))
    return (
        f'{{"actor_id":{actor},"actor_kind":{_quote(actor_kind)},'
        f'"actor_label":{_quote(actor_label)},"case":{_quote(case)},'
        f'"kind":{_quote(kind)},"occurred_at":"{occurred_at}",'
        f'"payload":{payload_json},"recorded_at":"{recorded_at}",'
        f'"seq":{int(seq)},"visibility":{_quote(visibility)}}}'
    )


def _columns(entry: LedgerEntry) -> tuple[int, str, str, str, int | None, str, str, str, str]:
    """The entry's values as stored and as `_canonical` takes them after the case."""
    return (
        entry.seq,
        entry.kind,
        _time(entry.occurred_at),
        _time(entry.recorded_at),
        entry.actor_id,
        entry.actor_kind,
        entry.actor_label,
        entry.visibility,
        entry.payload_json,
    )


def canonical_entry(entry: LedgerEntry) -> str:
    """The canonical JSON of an event: the same text as ``json.dumps(..., sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`` of its fields, built without re-parsing
    the payload (a test holds the two equal)."""
    return _canonical(entry.case, *_columns(entry))


def chain_hash(prev_hash: str, entry: LedgerEntry) -> str:
    return hashlib.sha256((prev_hash + canonical_entry(entry)).encode("utf-8")).hexdigest()


#: One stored event as verification reads it: the chain it belongs to (the case's storage
#: id), then seq, kind, occurred_at, recorded_at (canonical UTC text, see
#: `canonical_time`), actor_id, actor_kind, actor_label, visibility, payload_json,
#: prev_hash, hash. Plain tuples, because verification reads millions of them.
EventRow = tuple[Hashable, int, str, str, str, int | None, str, str, str, str, str, str]


def event_row(chain: Hashable, entry: LedgerEntry, prev_hash: str, digest: str) -> EventRow:
    return (chain, *_columns(entry), prev_hash, digest)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """What the case row says about its chain: the case's reference, the number of events
    and the hash of the last one."""

    chain: Hashable
    case: str
    length: int
    head_hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    chain: Hashable
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


def verify_chain(rows: Iterable[EventRow], heads: Iterable[ChainHead]) -> VerificationReport:
    """Recompute every chain. `rows` must come ordered by chain, then seq; `heads` gives
    each chain's case and recorded end. Reports the first broken link of every broken
    chain, including chains whose case row is missing or whose events are all gone."""
    report = VerificationReport()
    expected = {head.chain: head for head in heads}
    seen: set[Hashable] = set()
    sha256 = hashlib.sha256
    for chain, group in groupby(rows, key=itemgetter(0)):
        seen.add(chain)
        report.cases += 1
        head = expected.get(chain)
        if head is None:
            report.events += sum(1 for _ in group)
            report.broken.append(
                BrokenLink(
                    chain, f"<case {chain}>", 1, "events belong to a case that does not exist"
                )
            )
            continue
        case = head.case
        prev, length, broken = GENESIS, 0, None
        for _, seq, kind, occ, rec, aid, akind, alabel, vis, payload, prev_hash, digest in group:
            report.events += 1
            if broken is not None:
                continue
            length += 1
            if seq != length:
                broken = BrokenLink(
                    chain,
                    case,
                    seq,
                    f"expected event #{length}: an event is missing or out of order",
                )
            elif prev_hash != prev:
                broken = BrokenLink(
                    chain, case, seq, "prev_hash does not match the previous event's hash"
                )
            else:
                text = _canonical(case, seq, kind, occ, rec, aid, akind, alabel, vis, payload)
                if sha256((prev + text).encode("utf-8")).hexdigest() != digest:
                    broken = BrokenLink(
                        chain, case, seq, "content does not match its hash: the event was altered"
                    )
            prev = digest
        if broken is None and (head.length, head.head_hash) != (length, prev):
            broken = BrokenLink(
                chain,
                case,
                length,
                f"the case records {head.length} events ending in {head.head_hash[:12]}..., "
                f"the ledger holds {length} ending in {prev[:12]}...: events were removed or added",
            )
        if broken is not None:
            report.broken.append(broken)
    for chain, head in expected.items():
        if chain not in seen and head.length:
            report.cases += 1
            report.broken.append(
                BrokenLink(
                    chain,
                    head.case,
                    1,
                    f"the case records {head.length} events but the ledger holds none",
                )
            )
    return report
