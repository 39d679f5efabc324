"""What the case page's collision poll costs: `GET /cases/REF/version/?since=N` through
Django's whole request stack (session, sign-in, middleware, view), in process, on SQLite
and PostgreSQL, with N cases and one case of many events.

    python bench/collision_poll_bench.py [--rows 20000] [--events 500] [--polls 500]
                                         [--db sqlite|postgres|both]

Prints p50/p95 per poll when nothing changed (204) and after three changes (the banner),
the queries one poll makes, and the database's plan for the one that reads the events.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database, per_database
from import_bench import make_csv


def worker(kind: str, rows: int, events: int, polls: int) -> None:
    fresh_database(kind)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases.importing import cfpb_import
    from plaint.cases.ledger import Actor
    from plaint.cases.models import Case, CaseEvent
    from plaint.cases.services import case_note_add

    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now)
    user = staff_create(
        organisation=org, username="sup", password="bench-password-1", roles=[Role.SUPERVISOR]
    )
    cfpb_import(organisation=org, source=make_csv(rows), now=now)
    case = Case.objects.order_by("-received_at").first()
    assert case is not None
    for n in range(events):
        case_note_add(case=case, text=f"note {n}", actor=Actor.staff(user), now=now)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    case.refresh_from_db()
    print(
        f"{kind:<9} {Case.objects.count():,} cases, {CaseEvent.objects.count():,} events; "
        f"the polled case has {case.ledger_length:,}"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    url = f"/cases/{case.reference}/version/"
    client.get(url, {"since": case.ledger_length})  # the session's first request
    for label, since, expected in (
        ("nothing changed (204)", case.ledger_length, 204),
        ("three changes (banner)", case.ledger_length - 3, 200),
    ):
        times = []
        for _ in range(polls):
            started = time.perf_counter()
            response = client.get(url, {"since": since})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == expected, response.status_code
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{kind:<9} poll, {label:<24} p50 {statistics.median(times):6.2f} ms"
            f"  p95 {p95:6.2f} ms  ({polls} polls)"
        )
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"since": case.ledger_length - 3})
    print(f"{kind:<9} queries in one poll: {len(queries)}")
    [events_sql] = [q["sql"] for q in queries if "cases_caseevent" in q["sql"]]
    with connection.cursor() as cursor:
        explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
        cursor.execute(f"{explain} {events_sql}")
        for row in cursor.fetchall():
            print(f"{kind:<9}   plan: {row[-1]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--polls", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.rows, args.events, args.polls)
        return
    per_database(
        __file__,
        args.db,
        *("--rows", str(args.rows), "--events", str(args.events), "--polls", str(args.polls)),
    )


if __name__ == "__main__":
    main()
