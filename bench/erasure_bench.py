"""Erasure: how long `case_erase` takes per case (the desk's confirmation page and
`plaint retention erase` call it), and what the SQLite purge after a batch costs.

    .venv/bin/python bench/erasure_bench.py [--cases 200] [--db sqlite|postgres|both]

Each case is filed, given a note, a logged contact and a 20 KiB evidence file, resolved
and closed; then, on a day past its retention, erased one by one: first with the purge
after each erasure (what a single erasure from the desk does), then a second batch with
`purge=False` and one `erasure_purge` at the end (what the CLI does for a list).
Prints the median and p95 per erasure and erasures per second.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import fresh_database, per_database


def _figures(name: str, timings: list[float]) -> None:
    timings = sorted(timings)
    median = statistics.median(timings) * 1e3
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)] * 1e3
    rate = len(timings) / sum(timings)
    print(
        f"  {name:<40} n={len(timings):>5}  median {median:7.1f} ms  "
        f"p95 {p95:7.1f} ms  {rate:7.1f}/s"
    )


def _build(count: int) -> tuple[list, object]:  # type: ignore[type-arg]
    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases import services
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails
    from plaint.domain.lifecycle import CaseStatus
    from plaint.domain.vocabulary import Visibility

    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    org = organisation_create(slug="bench", name="Bench Ltd", now=now)
    agent = staff_create(
        organisation=org, username="a", password="pw-bench-123", roles=[Role.AGENT]
    )
    sup = staff_create(
        organisation=org, username="s", password="pw-bench-123", roles=[Role.SUPERVISOR]
    )
    actor = Actor.staff(agent)
    blob = b"x" * 20 * 1024
    cases = []
    for n in range(count):
        case = services.case_open(
            organisation=org,
            customer=CustomerDetails(name=f"Customer {n} Erasable", email=f"c{n}@example.org"),
            channel="phone",
            received_at=now,
            description=f"Customer {n} was charged twice for the February bill.",
            regime="UK-FCA-DISP",
            actor=actor,
            now=now,
        )
        at = now + timedelta(minutes=5)
        services.case_note_add(case=case, text=f"Called customer {n} back.", actor=actor, now=at)
        services.case_contact_log(
            case=case, contact_at=at, channel="phone", direction="outbound", actor=actor,
            now=at, summary=f"Customer {n} confirmed the address",
        )  # fmt: skip
        services.case_evidence_attach(
            case=case, stream=io.BytesIO(blob + str(n).encode()), filename=f"bill-{n}.txt",
            content_type="text/plain", actor=actor, now=at, description="bill",
            visibility=Visibility.INTERNAL,
        )  # fmt: skip
        closed = now + timedelta(days=10)
        services.case_transition(
            case=case, to=CaseStatus.RESOLVED, actor=actor, now=closed, reason="agreed"
        )
        services.case_close(
            case=case, outcome="upheld", root_cause_code="staff_error", root_cause="billing",
            actor=actor, now=closed,
        )  # fmt: skip
        cases.append(case)
    return cases, sup


def worker(kind: str, count: int) -> None:
    fresh_database(kind, pg_name="plaint_bench_erasure")
    from plaint.cases.ledger import ledger_verify
    from plaint.cases.models import Case
    from plaint.records.erasure import case_erase, erasure_purge

    print(f"{kind}: {count} cases, each with a note, a contact and a 20 KiB file")
    started = time.perf_counter()
    cases, sup = _build(count)
    print(f"  built in {time.perf_counter() - started:.1f} s")
    later = datetime(2029, 3, 2, 9, 0, tzinfo=UTC)
    today = date(2029, 3, 2)
    half = len(cases) // 2
    timings = []
    for case in cases[:half]:
        case = Case.objects.get(pk=case.pk)
        start = time.perf_counter()
        case_erase(case=case, confirmed_by=sup, now=later, today=today)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - start)
    _figures("case_erase, purge after each", timings)
    timings = []
    batch_start = time.perf_counter()
    for case in cases[half:]:
        case = Case.objects.get(pk=case.pk)
        start = time.perf_counter()
        case_erase(case=case, confirmed_by=sup, now=later, today=today, purge=False)  # type: ignore[arg-type]
        timings.append(time.perf_counter() - start)
    start = time.perf_counter()
    erasure_purge()
    purge = time.perf_counter() - start
    _figures("case_erase, batch (purge once)", timings)
    total = time.perf_counter() - batch_start
    print(
        f"  one erasure_purge after the batch: {purge * 1e3:.1f} ms; "
        f"batch {len(timings) / total:.1f}/s in all"
    )
    start = time.perf_counter()
    report = ledger_verify(workers=1)
    print(
        f"  ledger_verify after erasure: {report.cases} cases, {report.events} events in "
        f"{time.perf_counter() - start:.2f} s, broken links: {len(report.broken)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.cases)
    else:
        per_database(__file__, args.db, "--cases", str(args.cases))


if __name__ == "__main__":
    main()
