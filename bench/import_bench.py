"""Import throughput of the CFPB sample repeated to N rows, against raw executemany.

    python bench/import_bench.py [--rows 100000] [--db sqlite|postgres|both]

Prints cases/s for `plaint import cfpb` and for inserting the very same rows (customer,
case, opening event and search entry) with DB-API executemany, the physical limit for
that database.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import SHARED_CFPB, fresh_database, per_database


def make_csv(rows: int) -> Path:
    """The shared CFPB sample repeated to `rows` rows, each with its own Complaint ID."""
    with SHARED_CFPB.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [c for c in reader.fieldnames or [] if c != "sample_source"]
        sample = list(reader)
    out = Path(tempfile.mkdtemp()) / "cfpb_bench.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        for i in range(rows):
            writer.writerow({**sample[i % len(sample)], "Complaint ID": str(10_000_000 + i)})
    return out


# What an import writes per complaint; the search entry's insert also feeds the full-text
# index (FTS5 triggers on SQLite, the GIN index on PostgreSQL), for raw inserts too.
TABLES = ("cases_customer", "cases_case", "cases_caseevent", "cases_searchentry")


def worker(kind: str, rows: int) -> None:
    fresh_database(kind)
    from django.db import connection, transaction
    from django.utils import timezone

    from plaint.accounts.services import organisation_create
    from plaint.cases.importing import cfpb_import

    path = make_csv(rows)
    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench", now=now, time_zone="America/New_York")
    started = time.perf_counter()
    summary = cfpb_import(organisation=org, source=path, now=now)
    import_s = time.perf_counter() - started
    assert summary.imported == rows, summary

    # The same rows, straight through executemany into the same tables (new ids and a
    # second organisation so no unique constraint is hit). Prepared before the clock starts.
    raw_org = organisation_create(slug="raw", name="Raw", now=now)
    tables = {}
    with connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT * FROM {table} WHERE organisation_id = %s ORDER BY id", [org.pk])
            columns = [d[0] for d in cur.description]
            tables[table] = (columns, cur.fetchall())
    offset = 10 * rows

    def shifted(table: str) -> tuple[str, list[tuple]]:
        columns, data = tables[table]
        fk_shift = {"id", "customer_id", "case_id"}
        out = [
            tuple(
                raw_org.pk
                if col == "organisation_id"
                else (value + offset if col in fk_shift else value)
                for col, value in zip(columns, row, strict=True)
            )
            for row in data
        ]
        marks = ", ".join(["%s"] * len(columns))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", out

    statements = [shifted(t) for t in TABLES]
    batch = 2000
    started = time.perf_counter()
    for start in range(0, rows, batch):
        with transaction.atomic(), connection.cursor() as cur:
            for sql, data in statements:
                cur.executemany(sql, data[start : start + batch])
    raw_s = time.perf_counter() - started

    print(
        f"{kind:<9} import  {rows:>7} cases in {import_s:6.2f} s = {rows / import_s:8.0f} cases/s"
    )
    print(
        f"{kind:<9} raw     {rows:>7} cases in {raw_s:6.2f} s = {rows / raw_s:8.0f} cases/s "
        "(executemany of the same customer, case, event and search rows)"
    )
    print(f"{kind:<9} ratio   import / raw = {raw_s / import_s:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.rows)
        return
    per_database(__file__, args.db, "--rows", str(args.rows))


if __name__ == "__main__":
    main()
