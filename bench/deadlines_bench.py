"""Recomputing deadlines: the engine over 100,000 open cases, and the database refresh.

    python bench/deadlines_bench.py [--cases 100000] [--db-cases 2000]

Engine: `derive()` for N cases received over two years (house SLA + FCA DISP, plus a
share of CRA cases with a repair pause and FCBA cases with whichever-first), the way a
calendar or regime update re-derives every open case. Database: `case_deadlines_refresh`
on cases whose deadlines are already stored (the usual tick: nothing changes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))


def engine(cases: int, repeats: int) -> None:
    from plaint.domain.deadlines.calendars import calendar_for
    from plaint.domain.deadlines.engine import derive
    from plaint.domain.deadlines.model import Facts
    from plaint.domain.deadlines.regimes import regime_get

    rng = random.Random(7)
    zone, cob = ZoneInfo("Europe/London"), clock(17)
    cals = {"organisation": calendar_for("GB-ENG"), "US": calendar_for("US")}
    resolve = cals.__getitem__
    house, fca, cra, fcba = (
        regime_get(c) for c in ("HOUSE", "UK-FCA-DISP", "UK-CRA-GOODS", "US-FCBA")
    )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    work = []
    for i in range(cases):
        received = start + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        milestones = {"complaint_received": [received]}
        regimes = [house, fca]
        if i % 10 == 1:
            regimes = [house, cra]
            milestones |= {
                "goods_delivered": [received - timedelta(days=3)],
                "repair_requested": [received + timedelta(days=5)],
                "repaired_goods_received": [received + timedelta(days=12)],
            }
        elif i % 10 == 2:
            regimes = [house, fcba]
            milestones |= {
                "statement_transmitted": [received - timedelta(days=20)],
                "billing_notice_received": [received],
            }
        work.append(
            (
                regimes,
                Facts(
                    milestones=milestones,
                    parameters={"sla_acknowledge_days": 2, "sla_response_days": 20},
                ),
            )
        )
    for regimes, facts in work[:1000]:  # warm the holiday caches
        derive(regimes, facts, zone=zone, close_of_business=cob, calendars=resolve)
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        total = 0
        for regimes, facts in work:
            total += len(
                derive(
                    regimes,
                    facts,
                    zone=zone,
                    close_of_business=cob,
                    calendars=resolve,
                    explain=False,
                )
            )
        timings.append(time.perf_counter() - began)
    median = statistics.median(timings)
    print(
        f"engine    {cases:>7} cases ({total} deadlines) derived in median {median:.2f} s "
        f"= {cases / median:,.0f} cases/s (best {min(timings):.2f} s, {repeats} runs)"
    )


def database(cases: int) -> None:
    from _setup import fresh_database

    fresh_database("sqlite")
    from plaint.accounts.services import organisation_create
    from plaint.cases.ledger import Actor
    from plaint.cases.models import Case
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.deadlines.services import case_deadlines_refresh

    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    org = organisation_create(slug="b", name="B", now=now)
    for i in range(cases):
        case_open(
            organisation=org,
            customer=CustomerDetails(name=f"C{i}"),
            channel="web",
            received_at=now - timedelta(hours=i),
            description="x",
            regime="UK-FCA-DISP",
            actor=Actor.system(),
            now=now,
        )
    ids = list(Case.objects.values_list("pk", flat=True))
    began = time.perf_counter()
    for pk in ids:
        case_deadlines_refresh(case=Case(pk=pk), now=now)
    first = time.perf_counter() - began
    began = time.perf_counter()
    for pk in ids:
        case_deadlines_refresh(case=Case(pk=pk), now=now)
    again = time.perf_counter() - began
    print(
        f"database  {cases:>7} cases: first derivation {cases / first:,.0f} cases/s "
        f"(writes rows and events); unchanged re-check {cases / again:,.0f} cases/s (SQLite)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--db-cases", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    engine(args.cases, args.repeats)
    if args.db_cases:
        database(args.db_cases)
    del django


if __name__ == "__main__":
    main()
