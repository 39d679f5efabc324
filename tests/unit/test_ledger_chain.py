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
    EventRow,
    LedgerEntry,
    canonical_entry,
    chain_hash,
    event_row,
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


def chain(n: int, case: str = "PL-2026-000001", chain_id: int = 1) -> list[EventRow]:
    out, prev = [], GENESIS
    for seq in range(1, n + 1):
        e = entry(seq, case=case)
        digest = chain_hash(prev, e)
        out.append(event_row(chain_id, e, prev, digest))
        prev = digest
    return out


def head(rows: list[EventRow], case: str = "PL-2026-000001") -> ChainHead:
    return ChainHead(rows[0][0], case, len(rows), rows[-1][-1])


def altered(row: EventRow, **changes: object) -> EventRow:
    """The row with some fields replaced, by name, keeping its stored hashes."""
    names = [
        "chain",
        "seq",
        "kind",
        "occurred_at",
        "recorded_at",
        "actor_id",
        "actor_kind",
        "actor_label",
        "visibility",
        "payload_json",
        "prev_hash",
        "hash",
    ]
    values = dict(zip(names, row, strict=True))
    values.update(changes)
    return tuple(values[n] for n in names)  # type: ignore[return-value]


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
        canonical_entry(dataclasses.replace(e, occurred_at=datetime(2026, 1, 1)))


def test_intact_chains_verify() -> None:
    a, b = chain(5), chain(3, case="PL-2026-000002", chain_id=2)
    report = verify_chain(a + b, [head(a), head(b, "PL-2026-000002")])
    assert report.ok and report.cases == 2 and report.events == 8


def test_altered_event_is_named() -> None:
    rows = chain(5)
    rows[2] = altered(rows[2], actor_label="Mallory")
    report = verify_chain(rows, [head(chain(5))])
    assert not report.ok
    [broken] = report.broken
    assert (broken.chain, broken.case, broken.seq) == (1, "PL-2026-000001", 3)
    assert "altered" in broken.reason
    assert str(broken).startswith("PL-2026-000001 event #3: ")


def test_rehashed_event_still_breaks_the_next_link() -> None:
    rows = chain(5)
    forged = dataclasses.replace(entry(2), payload_json=NoteAdded(text="x").to_json())
    rows[1] = event_row(1, forged, rows[1][-2], chain_hash(rows[1][-2], forged))
    report = verify_chain(rows, [head(chain(5))])
    assert report.broken[0].seq == 3 and "prev_hash" in report.broken[0].reason


def test_missing_event_in_the_middle() -> None:
    rows = chain(5)
    del rows[2]
    report = verify_chain(rows, [head(chain(5))])
    assert report.broken[0].seq == 4 and "missing" in report.broken[0].reason


def test_truncated_tail_is_caught_by_the_head() -> None:
    full = chain(5)
    report = verify_chain(full[:3], [head(full)])
    assert not report.ok and "removed" in report.broken[0].reason


def test_case_with_no_events_left() -> None:
    full = chain(2)
    report = verify_chain([], [head(full)])
    assert not report.ok and "holds none" in report.broken[0].reason


def test_events_of_a_case_that_does_not_exist() -> None:
    report = verify_chain(chain(2, chain_id=9), [])
    assert "does not exist" in report.broken[0].reason


def test_reordered_events() -> None:
    rows = chain(4)
    rows[1], rows[2] = rows[2], rows[1]
    assert not verify_chain(rows, [head(chain(4))]).ok


def test_a_reference_changed_on_the_case_row_breaks_the_chain() -> None:
    rows = chain(2)
    report = verify_chain(rows, [dataclasses.replace(head(rows), case="PL-2026-999999")])
    assert report.broken[0].seq == 1 and "altered" in report.broken[0].reason
