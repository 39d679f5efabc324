"""Shared set-up for the benchmarks: a fresh database per run, chosen before Django loads."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_CFPB = ROOT.parent / "shared" / "data" / "cfpb_complaints_sample.csv"


def per_database(script: str, db: str, *args: str) -> None:
    """Run `script --worker --db KIND ARGS` once per database ('both' = SQLite then
    PostgreSQL): one process each, because Django's settings are fixed at start-up."""
    for kind in ["sqlite", "postgres"] if db == "both" else [db]:
        subprocess.run([sys.executable, script, "--worker", "--db", kind, *args], check=True)


def fresh_database(kind: str, pg_name: str = "plaint_bench") -> str:
    """Point Django at an empty database of `kind` ('sqlite' or 'postgres'), migrated.
    On PostgreSQL it is (re)created as `pg_name`."""
    data_dir = Path(tempfile.mkdtemp(prefix="plaint-bench-"))
    os.environ["PLAINT_DATA_DIR"] = str(data_dir)
    if kind == "sqlite":
        url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    else:
        # The test suite's PostgreSQL: a server on loopback and Plaint's own role
        # (scripts/postgres.sh), with a database of the benchmark's own, made anew.
        script = str(ROOT / "scripts" / "postgres.sh")
        subprocess.run([script, "--drop", pg_name], check=True, capture_output=True)
        found = subprocess.run([script, pg_name], check=True, capture_output=True, text=True)
        url = found.stdout.strip()
        import psycopg

        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as pg:
            pg.execute(f'CREATE DATABASE "{pg_name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return url
