"""p50/p95 latency of the desk's queue page and case page with 100,000 cases, measured
with wrk (a real HTTP load tool) against gunicorn, on SQLite and PostgreSQL.

    python bench/desk_latency.py [--rows 100000] [--db sqlite|postgres|both] [--seconds 15]

Needs wrk (Debian: apt-get install wrk). Loads the CFPB sample repeated to N cases,
derives deadlines and runs triage for the newest 1,000 (so 1,000 cases have a next
deadline to sort on), saves a shared view (received cases by next deadline), signs a
supervisor in, starts gunicorn (2 workers) on 127.0.0.1, then runs wrk with 2
connections on each page.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database
from import_bench import make_csv

PORT = 8977
WORKED = 1_000  # cases given deadlines and a triage result


def prepare(kind: str, rows: int) -> tuple[str, list[str]]:
    fresh_database(kind)
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.utils import timezone

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases.importing import cfpb_import
    from plaint.cases.models import Case
    from plaint.deadlines.services import case_deadlines_refresh
    from plaint.triage.services import triage_run

    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now, time_zone="America/New_York")
    user = staff_create(
        organisation=org,
        username="sup",
        password="bench-password-1",
        roles=[Role.SUPERVISOR],
    )
    started = time.perf_counter()
    cfpb_import(organisation=org, source=make_csv(rows), now=now)
    print(
        f"{kind:<9} loaded {Case.objects.count():,} cases in {time.perf_counter() - started:.0f} s"
    )
    # The queues count deadlines and triage results too: give the newest cases theirs,
    # through the real services (deriving deadlines for all 100,000 would take ~20 min).
    started = time.perf_counter()
    for case in Case.objects.order_by("-received_at")[:WORKED]:
        case_deadlines_refresh(case=case, now=now)
        triage_run(case=case, now=now)
    print(
        f"{kind:<9} deadlines and triage for {WORKED:,} cases in "
        f"{time.perf_counter() - started:.0f} s"
    )
    # A live database has statistics and, on PostgreSQL, a visibility map (autovacuum
    # sees to both after a bulk load; SQLite's ANALYZE to the first); one measured
    # straight after the load would have neither, and would read the heap for counts.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    refs = list(Case.objects.order_by("?").values_list("reference", flat=True)[:50])
    # A saved view as a team would keep one: received cases, next deadline first, chosen
    # columns (through the real service).
    from plaint.desk.services import saved_view_save

    view = saved_view_save(
        owner=user,
        name="Received, by deadline",
        parameters=[("status", "received"), ("sort", "next_due")]
        + [("cols", c) for c in ("next_due", "customer", "product", "status", "assignee")],
        shared=True,
        now=now,
    )
    return session.session_key or "", [*refs, str(view.pk)]


def wrk(url: str, cookie: str, seconds: int) -> tuple[float, float, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            "-c2",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: sessionid={cookie}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return ms("50"), ms("95") if "95%" in out else ms("90"), rate


def worker(kind: str, rows: int, seconds: int) -> None:
    cookie, refs = prepare(kind, rows)
    env = dict(os.environ)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "plaint.config.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{PORT}"
        pages = {
            f"queue (first page of {rows:,})": f"{base}/",
            "queue filtered (status + search)": f"{base}/?status=received&q=overdraft",
            "queue: overdue": f"{base}/?queue=overdue",
            "queue sorted by next deadline": f"{base}/?sort=next_due",
            "saved view (status + next deadline)": f"{base}/?view={refs[-1]}",
            f"case page ({refs[0]})": f"{base}/cases/{refs[0]}/",
        }
        for name, url in pages.items():
            p50, p95, rate = wrk(url, cookie, seconds)
            print(f"{kind:<9} {name:<36} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {rate:6.1f} req/s")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    if args.worker:
        worker(args.db, args.rows, args.seconds)
        return
    per_database(__file__, args.db, "--rows", str(args.rows), "--seconds", str(args.seconds))


if __name__ == "__main__":
    main()
