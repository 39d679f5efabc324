"""Ledger verification speed: events checked per second by `plaint verify`.

    python bench/verify_bench.py [--cases 20000] [--events-per-case 10] [--db sqlite|postgres|both]

Builds cases whose chains hold `events-per-case` events each (written through the same
ledger code as the services), then times `ledger_verify()` over all of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database


def build(cases: int, per_case: int) -> int:
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from plaint.accounts.services import organisation_create
    from plaint.cases.bulk import rows_insert
    from plaint.cases.importing import _CASE_COLUMNS, _CASE_DEFAULTS, _EVENT_COLUMNS
    from plaint.cases.ledger import Actor, event_values, ledger_entry
    from plaint.cases.models import Case, CaseEvent, Customer
    from plaint.domain.events import NoteAdded
    from plaint.domain.ledger import GENESIS, chain_hash
    from plaint.domain.vocabulary import Visibility

    now = timezone.now()
    org = organisation_create(slug="verify", name="Verify", now=now)
    actor = Actor.system("bench")
    batch = 1000
    for start in range(0, cases, batch):
        n = min(batch, cases - start)
        with transaction.atomic():
            customer = Customer.objects.create(organisation=org, name="Bench", created_at=now)
            refs = [f"PL-2026-{start + i + 1:06d}" for i in range(n)]
            chains = []
            for ref in refs:
                prev, entries = GENESIS, []
                for seq in range(1, per_case + 1):
                    entry = ledger_entry(
                        reference=ref,
                        seq=seq,
                        payload=NoteAdded(text=f"Note {seq} on {ref}"),
                        actor=actor,
                        occurred_at=now + timedelta(seconds=seq),
                        recorded_at=now,
                        visibility=Visibility.INTERNAL,
                    )
                    digest = chain_hash(prev, entry)
                    entries.append((entry, prev, digest))
                    prev = digest
                chains.append(entries)
            rows = []
            for ref, entries in zip(refs, chains, strict=True):
                values = {
                    **_CASE_DEFAULTS,
                    "organisation_id": org.pk,
                    "reference": ref,
                    "customer_id": customer.pk,
                    "channel": "web",
                    "received_at": now,
                    "description": "bench",
                    "created_at": now,
                    "updated_at": now,
                    "ledger_length": per_case,
                    "ledger_head": entries[-1][2],
                }
                rows.append(tuple(values[c] for c in _CASE_COLUMNS))
            ids = rows_insert(Case, _CASE_COLUMNS, rows)
            event_rows = [
                tuple(
                    event_values(e, organisation_id=org.pk, case_id=case_id, prev_hash=p, digest=d)[
                        c
                    ]
                    for c in _EVENT_COLUMNS
                )
                for case_id, entries in zip(ids, chains, strict=True)
                for e, p, d in entries
            ]
            rows_insert(CaseEvent, _EVENT_COLUMNS, event_rows)
    return CaseEvent.objects.count()


def worker(kind: str, cases: int, per_case: int, repeats: int) -> None:
    fresh_database(kind)
    from plaint.cases.ledger import ledger_verify

    total = build(cases, per_case)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        report = ledger_verify()
        timings.append(time.perf_counter() - started)
        assert report.ok and report.events == total, report
    best, median = min(timings), statistics.median(timings)
    print(
        f"{kind:<9} verify  {total:>8} events in {cases} cases: median {median:.2f} s = "
        f"{total / median:9.0f} events/s (best {total / best:.0f}/s, {repeats} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.cases, args.events_per_case, args.repeats)
        return
    per_database(
        __file__,
        args.db,
        "--cases",
        str(args.cases),
        "--events-per-case",
        str(args.events_per_case),
        "--repeats",
        str(args.repeats),
    )


if __name__ == "__main__":
    main()
