"""Cases per second of a desk bulk action (assign, then set priority) over N cases, on
SQLite and PostgreSQL: each case through its own service, with its own ledger event, in
chunks of `plaint.bulk.services.CHUNK` cases, one transaction each (as the worker runs a
background job).

    python bench/bulk_bench.py [--rows 10000] [--db sqlite|postgres|both]

Loads the CFPB sample repeated to N cases, then times `bulk_job_run` of one job per action.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database
from import_bench import make_csv


def run(kind: str, rows: int) -> None:
    fresh_database(kind, pg_name="plaint_bulk_bench")
    from django.utils import timezone

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.bulk.services import CHUNK, bulk_job_run, bulk_start
    from plaint.cases.importing import cfpb_import
    from plaint.cases.models import Case, CaseEvent
    from plaint.domain.bulk import BulkAction, BulkRequest

    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now)
    sup = staff_create(
        organisation=org, username="sup", password="bench-password-1", roles=[Role.SUPERVISOR]
    )
    cfpb_import(organisation=org, source=make_csv(rows), now=now)
    ids = list(Case.objects.filter(organisation=org).values_list("pk", flat=True))
    for request in (
        BulkRequest(BulkAction.ASSIGN, assignee_id=sup.pk),
        BulkRequest(BulkAction.PRIORITY, priority="high"),
    ):
        events = CaseEvent.objects.count()
        started = time.perf_counter()
        job = bulk_start(user=sup, request=request, case_ids=ids, now=now, background_over=0)
        queued = time.perf_counter() - started
        job = bulk_job_run(job_id=job.pk, now=now)
        elapsed = time.perf_counter() - started
        assert job.done == len(ids), (job.done, job.refused)
        assert CaseEvent.objects.count() - events == len(ids)
        print(
            f"{kind:<9} bulk {request.action.value:<9} {len(ids):,} cases in {elapsed:.1f} s "
            f"({len(ids) / elapsed:,.0f} cases/s; job started in {queued * 1000:.0f} ms; "
            f"chunks of {CHUNK})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run(args.db, args.rows)
    else:
        per_database(__file__, args.db, "--rows", str(args.rows))


if __name__ == "__main__":
    main()
