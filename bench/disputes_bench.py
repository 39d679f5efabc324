"""Disputes: how long `restriction_check` takes (the call the desk, e-mail and API make
before every outbound contact) on a case with restrictions, and the pure referral-window
and what-next rules.

    .venv/bin/python bench/disputes_bench.py [--checks 2000] [--rules 20000]

SQLite, one process, one thread. Prints the median and p95 of single calls, and
throughput.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import fresh_database


def _figures(name: str, timings: list[float]) -> None:
    timings.sort()
    median = statistics.median(timings) * 1e6
    p95 = timings[int(len(timings) * 0.95) - 1] * 1e6
    rate = len(timings) / sum(timings)
    print(
        f"{name:<32} n={len(timings):>6}  median {median:8.1f} µs  "
        f"p95 {p95:8.1f} µs  {rate:10,.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    parser.add_argument("--rules", type=int, default=20000)
    args = parser.parse_args()
    fresh_database("sqlite")

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.disputes import selectors, services
    from plaint.domain.disputes.next_steps import next_steps
    from plaint.domain.disputes.referrals import ReferralFacts, referral_rule, referral_window

    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    org = organisation_create(slug="bench", name="Bench Ltd", now=now)
    user = staff_create(organisation=org, username="b", password="pw-bench-123", roles=[Role.AGENT])
    case = case_open(
        organisation=org,
        customer=CustomerDetails(name="Dana Whitfield", email="dana@example.org"),
        channel="phone",
        received_at=now,
        description="Calls at work.",
        regime="UK-FCA-DISP",
        actor=Actor.staff(user),
        now=now,
    )
    for kind in ("writing_only", "not_at_work", "solicitor_only"):
        services.restriction_add(case=case, kind=kind, actor=Actor.staff(user), now=now)

    timings = []
    for i in range(args.checks):
        channel = ("phone", "email", "letter", "in_person")[i % 4]
        start = time.perf_counter()
        selectors.restriction_check(case=case, channel=channel, now=now, at_work=bool(i % 2))
        timings.append(time.perf_counter() - start)
    _figures("restriction_check (3 in force)", timings)

    rule = referral_rule("UK-FCA-DISP")
    facts = ReferralFacts(complaint=date(2026, 3, 2), final_response=date(2026, 4, 10))
    timings = []
    for _ in range(args.rules):
        start = time.perf_counter()
        referral_window(rule, facts, today=date(2026, 5, 1))
        timings.append(time.perf_counter() - start)
    _figures("referral_window (FOS)", timings)

    timings = []
    given = {"business": "Acme", "conduct": "calling", "first_letter_date": date(2026, 2, 1)}
    for _ in range(args.rules // 10):
        start = time.perf_counter()
        next_steps(side="customer", jurisdiction="GB", problem="financial", facts=given)
        timings.append(time.perf_counter() - start)
    _figures("next_steps (GB financial)", timings)


if __name__ == "__main__":
    main()
