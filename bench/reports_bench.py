"""Reports page and FCA return timings over N imported cases (issue 14: 1,000,000).

    python bench/reports_bench.py [--cases 1000000] [--years 5] [--db sqlite|postgres|both]
                                  [--keep]

Cases come through the bulk import path (`cfpb_import`): the shared CFPB sample repeated,
its "Date received" spread evenly over the `--years` years ending 30 June 2026 (the
sample itself crowds two thirds of its rows into 2023), so a year holds N / years cases.
Then, as a bench-only shortcut that skips the ledger (which no report reads), one SQL
UPDATE per bucket closes two thirds of them with an outcome, a root cause and a closing
time 1-88 days after receipt, and one INSERT ... SELECT gives every case the two CFPB
deadlines (company response 15 days, final 60 days) met at its closing time (so some on
time, some late, some missed), and every tenth case an accepted money offer in USD or
GBP.

With `--keep` the seeded database is kept (SQLite under /tmp/plaint-reports-bench, a
PostgreSQL database plaint_reports_bench) and reused by the next `--keep` run with the
same N, so the queries can be measured again without importing again.

Prints the p50/p95 of `report_build` for the year 1 July 2025 - 30 June 2026 with no
filter (7 runs after one warm-up), the same with a product filter, and the time of
`fca_return_build` for the half-year 1 January - 30 June 2026, with the load average.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, SHARED_CFPB, fresh_database, per_database

OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
CAUSES = ("product_design", "process_failure", "staff_error", "communication", "systems")
LAST_DAY = date(2026, 6, 30)
KEEP_DIR = Path(tempfile.gettempdir()) / "plaint-reports-bench"
KEEP_PG = "plaint_reports_bench"


def make_csv(rows: int, years: int) -> Path:
    """The shared CFPB sample repeated to `rows` rows, each with its own Complaint ID and
    a receipt date spread evenly over `years` years ending LAST_DAY."""
    with SHARED_CFPB.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [c for c in reader.fieldnames or [] if c != "sample_source"]
        sample = list(reader)
    days = 365 * years
    first = LAST_DAY - timedelta(days=days - 1)
    out = Path(tempfile.mkdtemp()) / "cfpb_reports_bench.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for i in range(rows):
            day = (first + timedelta(days=i * days // rows)).isoformat()
            writer.writerow(
                {
                    **sample[i % len(sample)],
                    "Complaint ID": str(10_000_000 + i),
                    "Date received": day,
                    "Date sent to company": day,
                }
            )
    return out


def _kept_database(kind: str, cases: int) -> tuple[bool, str]:
    """Point Django at the kept database of `kind` for `cases`; True if it is seeded."""
    marker = KEEP_DIR / f"{kind}-{cases}.seeded"
    KEEP_DIR.mkdir(exist_ok=True)
    os.environ["PLAINT_DATA_DIR"] = str(KEEP_DIR)
    if kind == "sqlite":
        path = KEEP_DIR / f"bench-{cases}.sqlite3"
        if not marker.exists() and path.exists():
            path.unlink()
        url = f"sqlite:///{path}"
    else:
        script = str(ROOT / "scripts" / "postgres.sh")
        if not marker.exists():
            subprocess.run([script, "--drop", KEEP_PG], check=True, capture_output=True)
        url = subprocess.run(
            [script, KEEP_PG], check=True, capture_output=True, text=True
        ).stdout.strip()
        if not marker.exists():
            import psycopg

            with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
                pg.execute(f'CREATE DATABASE "{KEEP_PG}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return marker.exists(), str(marker)


def seed(kind: str, cases: int, years: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from plaint.accounts.services import organisation_create
    from plaint.cases.importing import cfpb_import

    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now, time_zone="America/New_York")
    source = make_csv(cases, years)
    started = time.perf_counter()
    cfpb_import(organisation=org, source=source, now=now, batch_size=5000)
    took = time.perf_counter() - started
    print(f"{kind:<9} import  {cases:>8} cases in {took:7.1f} s ({cases / took:,.0f} cases/s)")
    started = time.perf_counter()
    pg = connection.vendor == "postgresql"

    def plus_days(column: str, days: int) -> str:
        if pg:
            return f"{column} + interval '{days} days'"
        return f"strftime('%Y-%m-%d %H:%M:%f', {column}, '+{days} days')"

    with transaction.atomic(), connection.cursor() as cur:
        for bucket in range(30):
            cur.execute(
                "UPDATE cases_case SET status = 'closed', outcome = %s, root_cause_code = %s, "
                f"closed_at = {plus_days('received_at', 1 + 3 * bucket)} "
                "WHERE organisation_id = %s AND id %% 45 = %s",
                [OUTCOMES[bucket % 3], CAUSES[bucket % 5], org.pk, bucket],
            )
        for key, title, days in (
            ("US-CFPB/company-response", "Company response", 15),
            ("US-CFPB/final-response", "Final response", 60),
        ):
            cur.execute(
                "INSERT INTO deadlines_casedeadline (organisation_id, case_id, key, "
                "regime_version, title, party, kind, verification, due_at, state, met_at, "
                "waiting_for, provisional, updated_at) "
                f"SELECT organisation_id, id, %s, '2026', %s, 'firm', 'respond', 'verified', "
                f"{plus_days('received_at', days)}, "
                "CASE WHEN closed_at IS NULL THEN 'open' ELSE 'met' END, closed_at, '', '', %s "
                "FROM cases_case WHERE organisation_id = %s",
                [key, title, now, org.pk],
            )
        cur.execute(
            "INSERT INTO cases_resolutionoffer (organisation_id, case_id, redress, amount, "
            "currency, description, answer, answer_comment, offered_at, answered_at) "
            "SELECT organisation_id, id, 'money', 25 + id %% 200, "
            "CASE WHEN id %% 20 = 0 THEN 'GBP' ELSE 'USD' END, '', 'accepted', '', "
            "received_at, closed_at "
            "FROM cases_case WHERE organisation_id = %s AND status = 'closed' AND id %% 10 = 0",
            [org.pk],
        )
        cur.execute("ANALYZE")
    print(f"{kind:<9} closures, deadlines, offers in {time.perf_counter() - started:7.1f} s")


def measure(kind: str) -> None:
    from django.utils import timezone

    from plaint.accounts.models import Organisation
    from plaint.domain.returns.periods import Period
    from plaint.reports.selectors import ReportFilters, fca_return_build, report_build

    org = Organisation.objects.get(slug="bench")
    now = timezone.now()
    year = Period(LAST_DAY - timedelta(days=364), LAST_DAY)

    def timed(filters: ReportFilters, label: str) -> None:
        report_build(organisation=org, filters=filters, now=now)  # warm-up
        runs = []
        for _ in range(7):
            started = time.perf_counter()
            report = report_build(organisation=org, filters=filters, now=now)
            runs.append(time.perf_counter() - started)
        p95 = statistics.quantiles(runs, n=20, method="inclusive")[18]
        print(
            f"{kind:<9} report  {label}, {report.total} cases: p50 "
            f"{statistics.median(runs) * 1000:6.0f} ms, p95 {p95 * 1000:6.0f} ms"
            f"  (load {os.getloadavg()[0]:.1f})"
        )

    timed(ReportFilters(year), "one year, no filter")
    timed(ReportFilters(year, product="Debt collection"), "one year, product Debt collection")
    half = Period(date(2026, 1, 1), LAST_DAY)
    started = time.perf_counter()
    ret = fca_return_build(organisation=org, period=half)
    print(
        f"{kind:<9} FCA return {half}: {ret.total('opened')} opened, "
        f"{time.perf_counter() - started:6.2f} s  (load {os.getloadavg()[0]:.1f})"
    )


def worker(kind: str, cases: int, years: int, keep: bool) -> None:
    if keep:
        seeded, marker = _kept_database(kind, cases)
    else:
        fresh_database(kind, "plaint_bench_reports")
        seeded, marker = False, ""
    if not seeded:
        seed(kind, cases, years)
        if marker:
            Path(marker).touch()
    measure(kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.cases, args.years, args.keep)
        return
    extra = ["--keep"] if args.keep else []
    per_database(__file__, args.db, "--cases", str(args.cases), "--years", str(args.years), *extra)


if __name__ == "__main__":
    main()
