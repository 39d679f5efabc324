"""Concurrent writers on one SQLite database (issue 17 finding 16): each of N processes
files complaints through `complaint_receive_queued` (the API's path: case, ledger event,
search entry and deadlines in one transaction, triage queued), all at once, and each
filing is timed. Prints p50/p95/p99 and the total rate at 1, 2, 4 and 8 writers.

    .venv/bin/python bench/sqlite_writers_bench.py [--cases 100] [--writers 1,2,4,8]

Plaint's SQLite connections start write transactions with BEGIN IMMEDIATE
(`transaction_mode`), so a writer waits for the lock up front instead of failing to
upgrade it half-way and backing off; `synchronous=FULL` syncs the WAL at each commit.
Each process is a separate Python, as gunicorn workers are, and files one untimed
complaint first (the first filing of a process loads the regimes and holiday calendars).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database


def writer(cases: int, start_at: float, index: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from plaint.accounts.models import Organisation
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails
    from plaint.intake.services import complaint_receive_queued

    org = Organisation.objects.get(slug="writers")

    def file(n: int) -> None:
        now = timezone.now()
        complaint_receive_queued(
            organisation=org,
            customer=CustomerDetails(
                name=f"Writer {index} customer {n}", email=f"w{index}.{n}@example.org"
            ),
            channel="web",
            received_at=now - timedelta(hours=1),
            description=f"Complaint {n} from writer {index}: I was charged twice.",
            regime="UK-FCA-DISP",
            actor=Actor.system("bench"),
            now=now,
        )

    file(-1)  # warm-up, not timed: the first filing loads the regimes and calendars
    while time.time() < start_at:
        time.sleep(0.005)
    timings = []
    for n in range(cases):
        began = time.perf_counter()
        file(n)
        timings.append(time.perf_counter() - began)
    print(json.dumps(timings))


def _pick(timings: list[float], q: float) -> float:
    """The q-quantile of sorted `timings`, in milliseconds."""
    return timings[min(len(timings) - 1, int(len(timings) * q))] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100, help="per writer")
    parser.add_argument("--writers", default="1,2,4,8")
    parser.add_argument("--worker", nargs=2, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        writer(args.cases, args.worker[0], int(args.worker[1]))
        return
    fresh_database("sqlite")
    from django.utils import timezone

    from plaint.accounts.services import organisation_create

    organisation_create(slug="writers", name="Writers Ltd", now=timezone.now())
    env = dict(os.environ)
    print(f"SQLite, {args.cases} complaints per writer, complaint_receive_queued")
    print(f"{'writers':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'total/s':>8}")
    for count in [int(w) for w in args.writers.split(",")]:
        start_at = time.time() + 3.0  # every process imported and connected first
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--cases",
                    str(args.cases),
                    "--worker",
                    str(start_at),
                    str(i),
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(count)
        ]
        timings: list[float] = []
        for proc in procs:
            out, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"a writer failed (exit {proc.returncode})")
            timings += json.loads(out.strip().splitlines()[-1])
        elapsed = time.time() - start_at
        timings.sort()
        print(
            f"{count:>7} {statistics.median(timings) * 1e3:>8.1f} {_pick(timings, 0.95):>8.1f} "
            f"{_pick(timings, 0.99):>8.1f} {len(timings) / elapsed:>8.1f}"
        )


if __name__ == "__main__":
    main()
