"""Import with bulk derivation: N CFPB rows imported and given their deadlines and triage.

    python bench/bulk_derive_bench.py [--rows 100000] [--db sqlite|postgres|both]
                                      [--sample 500] [--pg-name plaint_bench_bulk]

Prints, for `plaint import` (`complaints_import`: import + deadlines + triage in each
batch's transaction): cases/s and total time; what a `plaint tick` at the same `now`
finds afterwards (nothing); the per-case path it replaces (the first `plaint tick` over
imported cases, then `triage_run` per case) on a sample; and the import alone
(`cfpb_import`) into another organisation, so the difference is what deriving costs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database
from import_bench import make_csv


def cpu() -> float:
    """CPU seconds used by this process and its finished children (the text readers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def worker(kind: str, rows: int, sample: int, pg_name: str) -> None:
    fresh_database(kind, pg_name)
    from django.utils import timezone

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, roles_ensure, staff_create
    from plaint.cases.importing import cfpb_import
    from plaint.cases.models import Case, CaseEvent
    from plaint.deadlines.models import CaseDeadline
    from plaint.deadlines.services import deadlines_tick
    from plaint.intake.bulk import complaints_import
    from plaint.triage.services import triage_run

    path = make_csv(rows)
    now = timezone.now()
    roles_ensure()

    def organisation(slug: str):  # type: ignore[no-untyped-def]
        org = organisation_create(slug=slug, name=slug, now=now, time_zone="America/New_York")
        staff_create(
            organisation=org,
            username=f"{slug}-sue",
            password="bench-password-1",
            roles=[Role.SUPERVISOR],
            email=f"sue@{slug}.invalid",
            now=now,
        )
        return org

    bulk = organisation("bulk")
    started, cpu_started = time.perf_counter(), cpu()
    summary, report = complaints_import(organisation=bulk, source=path, now=now)
    total_s, total_cpu = time.perf_counter() - started, cpu() - cpu_started
    assert summary.imported == rows and report.triaged == rows, (summary, report)
    deadlines = CaseDeadline.objects.filter(organisation=bulk).count()
    events = CaseEvent.objects.filter(organisation=bulk).count()

    started = time.perf_counter()
    tick = deadlines_tick(now=now)
    tick_s = time.perf_counter() - started
    assert (tick.refreshed, tick.reminders, tick.breaches) == (0, 0, 0), tick

    # The per-case path, on `sample` freshly imported cases of a third organisation.
    old = organisation("percase")
    small = make_csv(sample)
    cfpb_import(organisation=old, source=small, now=now)
    started = time.perf_counter()
    deadlines_tick(now=now)
    old_tick_s = time.perf_counter() - started
    started = time.perf_counter()
    for case in Case.objects.filter(organisation=old).select_related("customer"):
        triage_run(case=case, now=now)
    old_triage_s = time.perf_counter() - started

    # The import alone last: a tick would re-derive these cases.
    plain = organisation("plain")
    started, cpu_started = time.perf_counter(), cpu()
    cfpb_import(organisation=plain, source=path, now=now)
    import_s, import_cpu = time.perf_counter() - started, cpu() - cpu_started

    derive_s = total_s - import_s

    def line(what: str, count: int, seconds: float, note: str = "") -> None:
        print(
            f"{kind:<9} {what:<28} {count:>7} cases in {seconds:7.2f} s = "
            f"{count / seconds:8.0f} cases/s{note}"
        )

    note = f"  ({deadlines} deadlines, {events} events)"
    line("import + deadlines + triage", rows, total_s, note)
    line("import alone", rows, import_s)
    line("deadlines + triage (diff)", rows, derive_s)
    line("per-case: first tick", sample, old_tick_s)
    line("per-case: triage_run", sample, old_triage_s)
    per_case_s = rows * (old_tick_s + old_triage_s) / sample
    print(
        f"{kind:<9} per-case path for {rows} cases, extrapolated: {per_case_s / 60:.1f} min; "
        f"bulk: {derive_s / 60:.1f} min; target: deadlines and triage within 2 min"
    )
    print(f"{kind:<9} tick afterwards: nothing to do, {tick_s:.2f} s")
    print(
        f"{kind:<9} Plaint's own CPU time (without the database server's): import + "
        f"derivation {total_cpu:.1f} s, import alone {import_cpu:.1f} s, derivation "
        f"{total_cpu - import_cpu:.1f} s = {(total_cpu - import_cpu) / rows * 1000:.2f} ms/case; "
        f"load average {os.getloadavg()[0]:.1f} on {len(os.sched_getaffinity(0))} CPUs"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--pg-name", default="plaint_bench_bulk")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.rows, args.sample, args.pg_name)
        return
    per_database(
        __file__,
        args.db,
        "--rows",
        str(args.rows),
        "--sample",
        str(args.sample),
        "--pg-name",
        args.pg_name,
    )


if __name__ == "__main__":
    main()
