import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plaint.domain.events import NoteAdded, canonical_json
from plaint.domain.ledger import (
    GENESIS,
    ChainHead,
    LedgerEntry,
    StoredEvent,
    canonical_entry,
    chain_hash,
    verify_chain,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def entry(seq: int, text: str = "note", case: str = "PL-2026-000001") -> LedgerEntry:
    return LedgerEntry(
        case=case,
        seq=seq,
        kind="note_added",
        occurred_at=T0 + timedelta(minutes=seq),
        recorded_at=T0 + timedelta(minutes=seq, seconds=1),
        actor_kind="staff",
        actor_id=7,
        actor_label="Alice Agent",
        visibility="internal",
        payload_json=NoteAdded(text=f"{text} {seq}").to_json(),
    )


def chain(n: int, case: str = "PL-2026-000001", chain_id: str = "1") -> list[StoredEvent]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        e = entry(seq, case=case)
        digest = chain_hash(prev, e)
        out.append(StoredEvent(chain_id, e, prev, digest))
        prev = digest
    return out


def head(events: list[StoredEvent]) -> ChainHead:
    return ChainHead(events[0].chain, len(events), events[-1].hash)


texts = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@given(label=texts, case=texts, text=texts, actor_id=st.none() | st.integers(0, 2**40))
def test_canonical_entry_is_sorted_compact_json(label, case, text, actor_id) -> None:
    e = dataclasses.replace(entry(3, text), actor_label=label, case=case, actor_id=actor_id)
    as_dict = {
        "actor_id": actor_id,
        "actor_kind": "staff",
        "actor_label": label,
        "case": case,
        "kind": "note_added",
        "occurred_at": e.occurred_at.isoformat(timespec="microseconds"),
        "payload": json.loads(e.payload_json),
        "recorded_at": e.recorded_at.isoformat(timespec="microseconds"),
        "seq": 3,
        "visibility": "internal",
    }
    assert canonical_entry(e) == canonical_json(as_dict)


def test_times_are_normalised_to_utc() -> None:
    local = timezone(timedelta(hours=-5))
    e = entry(1)
    moved = dataclasses.replace(e, occurred_at=e.occurred_at.astimezone(local))
    assert canonical_entry(moved) == canonical_entry(e)
    with pytest.raises(ValueError, match="aware"):
        canonical_entry(dataclasses.replace(e, occurred_at=datetime(2026, 1, 1)))  # noqa: DTZ001


def test_intact_chains_verify() -> None:
    a, b = chain(5), chain(3, case="PL-2026-000002", chain_id="2")
    report = verify_chain(a + b, [head(a), head(b)])
    assert report.ok and report.cases == 2 and report.events == 8


def test_altered_event_is_named() -> None:
    events = chain(5)
    bad = dataclasses.replace(events[2].entry, actor_label="Mallory")
    events[2] = StoredEvent("1", bad, events[2].prev_hash, events[2].hash)
    report = verify_chain(events, [head(chain(5))])
    assert not report.ok
    assert report.broken[0].seq == 3 and "altered" in report.broken[0].reason


def test_rehashed_event_still_breaks_the_next_link() -> None:
    events = chain(5)
    forged = dataclasses.replace(events[1].entry, payload_json=NoteAdded(text="x").to_json())
    events[1] = StoredEvent("1", forged, events[1].prev_hash, chain_hash(events[1].prev_hash, forged))
    report = verify_chain(events, [head(chain(5))])
    assert report.broken[0].seq == 3 and "prev_hash" in report.broken[0].reason


def test_missing_event_in_the_middle() -> None:
    events = chain(5)
    del events[2]
    report = verify_chain(events, [head(chain(5))])
    assert report.broken[0].seq == 4 and "missing" in report.broken[0].reason


def test_truncated_tail_is_caught_by_the_head() -> None:
    full = chain(5)
    report = verify_chain(full[:3], [head(full)])
    assert not report.ok and "removed" in report.broken[0].reason


def test_case_with_no_events_left() -> None:
    full = chain(2)
    report = verify_chain([], [head(full)])
    assert not report.ok and "holds none" in report.broken[0].reason


def test_reordered_events() -> None:
    events = chain(4)
    events[1], events[2] = events[2], events[1]
    assert not verify_chain(events, [head(chain(4))]).ok
