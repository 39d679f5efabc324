"""PgBouncer in transaction mode in front of PostgreSQL: a real case-filing flow goes
through it with PLAINT_DATABASE_POOLED=1 (no server-side cursors, no persistent
connections). PgBouncer is started on loopback by the test and stopped after it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'",
        reason="PgBouncer fronts PostgreSQL only: this is a SQLite run",
    ),
    pytest.mark.skipif(
        not os.access(PGBOUNCER, os.X_OK),
        reason="pgbouncer is not installed (scripts/system-deps.sh installs it)",
    ),
]

# The flow the desk and the portal run when a complaint comes in, in a process of its
# own whose only database is PgBouncer. `.iterator()` is the call that needs a
# server-side cursor unless DISABLE_SERVER_SIDE_CURSORS is set.
FLOW = """
import django; django.setup()
from datetime import UTC, datetime
from django.conf import settings
from django.db import connection
from plaint.accounts.services import organisation_create
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import CustomerDetails
from plaint.intake import services as intake

now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
db = settings.DATABASES["default"]
assert db["DISABLE_SERVER_SIDE_CURSORS"] is True and db["CONN_MAX_AGE"] == 0, db
org = organisation_create(slug="pooled", name="Pooled Ltd", now=now, reference_prefix="PO")
for n in range(5):
    result = intake.complaint_receive(
        organisation=org, customer=CustomerDetails(name=f"Customer {n}"), channel="email",
        received_at=now, description="You charged my card twice for the same order.",
        regime="UK-FCA-DISP", actor=Actor.system("pgbouncer-test"), now=now,
    )
    assert result.case.pk
cases = list(Case.objects.filter(organisation=org).iterator(chunk_size=2))
events = sum(1 for _ in CaseEvent.objects.filter(case__organisation=org).iterator(chunk_size=3))
with connection.cursor() as cursor:
    cursor.execute("SELECT inet_server_port()")
    port = cursor.fetchone()[0]
print(len(cases), events, port)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pgbouncer(transactional_db: None) -> Iterator[str]:
    """A PgBouncer in transaction mode on a free loopback port, in front of this run's
    test database; yields the DATABASE_URL that goes through it."""
    # A folder of its own under /tmp: pytest's tmp_path is not readable by postgres.
    tmp_path = Path(tempfile.mkdtemp(prefix="plaint-pgbouncer-"))
    db = connection.settings_dict
    host, pg_port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    user, password, name = db["USER"], db["PASSWORD"], db["NAME"]
    port = _free_port()
    (tmp_path / "users.txt").write_text(f'"{user}" "{password}"\n')
    (tmp_path / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{name} = host={host} port={pg_port} dbname={name} user={user} password={password}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir = \nauth_type = plain\nauth_file = {tmp_path / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 50\n"
        f"logfile = {tmp_path / 'pgbouncer.log'}\npidfile = {tmp_path / 'pgbouncer.pid'}\n"
    )
    command = [PGBOUNCER, str(tmp_path / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        shutil.chown(tmp_path, user="postgres")
        for path in tmp_path.iterdir():
            shutil.chown(path, user="postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = tmp_path / "pgbouncer.log"
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(
                        f"pgbouncer did not start: {output} "
                        f"{log.read_text() if log.exists() else ''}"
                    )
                time.sleep(0.1)
        yield f"postgres://{user}:{password}@127.0.0.1:{port}/{name}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_case_filing_flow_runs_through_pgbouncer_in_transaction_mode(
    pgbouncer: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plaint.config.settings",
        "DATABASE_URL": pgbouncer,
        "PLAINT_DATABASE_POOLED": "1",
        "PLAINT_DATA_DIR": str(tmp_path / "data"),
    }
    run = subprocess.run(
        [sys.executable, "-c", FLOW], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    cases, events, server_port = run.stdout.split()
    assert int(cases) == 5 and int(events) > 5
    # The flow's connections were PgBouncer's to the real server, not the client's own.
    assert server_port == str(connection.settings_dict["PORT"] or 5432)
