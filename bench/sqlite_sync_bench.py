"""What `PRAGMA synchronous=FULL` costs on SQLite (WAL mode): cases filed per second
through `case_open` (one transaction, one commit each) with NORMAL and with FULL, on this
machine's disk. Then the time `plaint backup` takes over the FULL database.

    python bench/sqlite_sync_bench.py [--cases 300] [--rounds 3]

In WAL mode NORMAL syncs the WAL only at checkpoints, so a power cut can lose the last
commits (never corrupt the database); FULL syncs the WAL at every commit, so a commit
that returned survives. Plaint runs FULL (settings.py); this prints what that costs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database


def file_cases(level: str, cases: int) -> float:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from plaint.accounts.services import organisation_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open

    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA synchronous={level}")
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == {"NORMAL": 1, "FULL": 2}[level]
    now = timezone.now()
    org = organisation_create(slug="sync", name="Sync", now=now)
    started = time.perf_counter()
    for n in range(cases):
        case_open(
            organisation=org,
            customer=CustomerDetails(name=f"Customer {n}", email=f"c{n}@example.org"),
            channel="web",
            received_at=now - timedelta(days=1),
            description=f"Complaint {n}: charged twice.",
            actor=Actor.system("bench"),
            now=now,
        )
    return cases / (time.perf_counter() - started)


def worker(level: str, cases: int) -> None:
    fresh_database("sqlite")
    rate = file_cases(level, cases)
    line = f"{level} {rate:.1f}"
    if level == "FULL":
        from django.utils import timezone

        from plaint.records.backup import backup_write

        out = Path(tempfile.mkdtemp(prefix="plaint-bench-backup-")) / "b.tar.gz"
        started = time.perf_counter()
        summary = backup_write(output=out, created_at=timezone.now())
        line += f" {time.perf_counter() - started:.2f} {summary.bytes}"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", choices=["NORMAL", "FULL"])
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.cases)
        return
    rates: dict[str, list[float]] = {"NORMAL": [], "FULL": []}
    backups: list[str] = []
    for _ in range(args.rounds):
        for level in ("NORMAL", "FULL"):  # interleaved, so the machine's load hits both
            out = subprocess.run(
                [sys.executable, __file__, "--worker", level, "--cases", str(args.cases)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            rates[level].append(float(out[1]))
            if level == "FULL":
                backups.append(f"{float(out[2]):.2f} s ({int(out[3]):,} bytes)")
    for level, values in rates.items():
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(f"synchronous={level}: median {statistics.median(values):.0f} cases/s (runs {runs})")
    cost = 1 - statistics.median(rates["FULL"]) / statistics.median(rates["NORMAL"])
    print(f"FULL costs {cost:.0%} of NORMAL's rate ({args.cases} cases per run, WAL mode)")
    print(f"plaint backup of the FULL database: {', '.join(backups)}")


if __name__ == "__main__":
    main()
