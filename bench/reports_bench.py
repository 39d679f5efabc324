"""Reports page and FCA return timings over N imported cases.

    python bench/reports_bench.py [--cases 100000] [--db sqlite|postgres|both]

Cases come through the bulk import path (`cfpb_import`, the shared CFPB sample repeated);
then, as a bench-only shortcut that skips the ledger (which no report reads), two thirds
of them are marked closed with an outcome, a root cause and a closing time 1-90 days
after receipt by one UPDATE per bucket. Prints the p50/p95 of `report_build` for the
latest year with no filter (5 runs) and the time of `fca_return_build` for a half-year.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database
from import_bench import make_csv

OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
CAUSES = ("product_design", "process_failure", "staff_error", "communication", "systems")


def worker(kind: str, cases: int) -> None:
    fresh_database(kind)
    from django.db.models import F, Max
    from django.utils import timezone

    from plaint.accounts.services import organisation_create
    from plaint.cases.importing import cfpb_import
    from plaint.cases.models import Case
    from plaint.domain.returns.periods import Period
    from plaint.reports.selectors import ReportFilters, fca_return_build, report_build

    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now, time_zone="America/New_York")
    started = time.perf_counter()
    cfpb_import(organisation=org, source=make_csv(cases), now=now)
    print(f"{kind:<9} import  {cases:>8} cases in {time.perf_counter() - started:7.1f} s")
    ids = list(Case.objects.filter(organisation=org).values_list("pk", flat=True))
    for bucket in range(30):
        chosen = [pk for pk in ids if pk % 45 == bucket]
        Case.objects.filter(pk__in=chosen).update(
            status="closed",
            outcome=OUTCOMES[bucket % 3],
            root_cause_code=CAUSES[bucket % 5],
            closed_at=F("received_at") + timedelta(days=1 + 3 * bucket),
        )
    last = Case.objects.filter(organisation=org).aggregate(m=Max("received_at"))["m"].date()
    year = ReportFilters(Period(last - timedelta(days=364), last))
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        report = report_build(organisation=org, filters=year, now=now)
        runs.append(time.perf_counter() - started)
    p95 = sorted(runs)[-1]  # of 5 runs, the slowest
    print(
        f"{kind:<9} report  one year, no filter, {report.total} cases: "
        f"p50 {statistics.median(runs) * 1000:7.0f} ms, p95 {p95 * 1000:7.0f} ms"
    )
    half = Period(last.replace(month=1, day=1), last.replace(month=6, day=30))
    started = time.perf_counter()
    ret = fca_return_build(organisation=org, period=half)
    print(
        f"{kind:<9} FCA return {half}: {ret.total('opened')} opened, "
        f"{time.perf_counter() - started:6.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.cases)
        return
    per_database(__file__, args.db, "--cases", str(args.cases))


if __name__ == "__main__":
    main()
