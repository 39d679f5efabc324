"""The cost of each step of opening a case through the API's path, in-process (no HTTP):
`case_open` (case, ledger event, search entry), `case_deadlines_refresh`, queueing triage,
and the triage the worker then runs. Median of `--n` cases after 5 warm-ups. Prints ms."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    fresh_database(args.db, pg_name="plaint_api")
    from django.db import transaction

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.deadlines.services import case_deadlines_refresh
    from plaint.intake.services import complaint_triage
    from plaint.intake.tasks import intake_triage_task

    now = datetime.now(UTC)
    org = organisation_create(slug="steps", name="Steps Ltd", now=now)
    user = staff_create(
        organisation=org, username="u", password="pw-u-12345678", roles=[Role.ADMIN]
    )
    steps: dict[str, list[float]] = {"open": [], "deadlines": [], "queue": [], "triage": []}
    for _ in range(args.n + 5):
        t0 = time.perf_counter()
        with transaction.atomic():
            case = case_open(
                organisation=org,
                customer=CustomerDetails(name="Dana Smith", email="dana@example.org"),
                channel="web", received_at=now, actor=Actor.staff(user), now=now,
                description="I was charged twice for my bill and they refuse to refund it.",
                regime="UK-FCA-DISP",
            )  # fmt: skip
            t1 = time.perf_counter()
            case_deadlines_refresh(case=case, now=now)
            t2 = time.perf_counter()
            intake_triage_task.enqueue(case_id=case.pk, now=now.isoformat())
        t3 = time.perf_counter()
        complaint_triage(case=case, now=now)
        t4 = time.perf_counter()
        for name, cost in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[name].append(cost)
    print(f"steps of opening a case ({args.db}, median of {args.n}, ms):")
    labels = {
        "open": "case_open (case, ledger event, search entry)",
        "deadlines": "case_deadlines_refresh (in the same transaction)",
        "queue": "queue triage + commit",
        "triage": "triage_run (the worker, after the answer)",
    }
    for name, costs in steps.items():
        print(f"  {labels[name]:<52} {statistics.median(costs[5:]) * 1000:7.1f}")


if __name__ == "__main__":
    main()
