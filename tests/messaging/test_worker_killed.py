"""The at-most-once promise with a real worker process: killed with SIGKILL after the
SMTP server accepted a message and before the worker recorded it, the message is flagged
`unknown` for a person and never sent again by itself. The worker is held at exactly that
point by the server, which takes the database's write lock before it answers 250."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.messaging.ports import free_port

NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

SETUP = textwrap.dedent("""
    import os, sys, django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    django.setup()
    from datetime import datetime
    from plaint.accounts.services import organisation_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.messaging.services import message_send
    now = datetime.fromisoformat(sys.argv[1])
    org = organisation_create(slug="acme", name="Acme", now=now, reference_prefix="AC")
    case = case_open(organisation=org, customer=CustomerDetails(name="Dana",
                     email="dana@example.org"), channel="email", received_at=now,
                     description="Charged twice", actor=Actor.system("setup"), now=now)
    message_send(case=case, subject="About your bill", text="We are on it.",
                 actor=Actor.system("setup"), now=now)
""")


class LockingInbox:
    """Accepts the message, but first takes the write lock of the worker's database."""

    def __init__(self, db_file: Path) -> None:
        self.db_file = db_file
        self.received: list[bytes] = []
        self.lock: sqlite3.Connection | None = None

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.lock is None:
            self.lock = sqlite3.connect(self.db_file, check_same_thread=False, timeout=30)
            self.lock.isolation_level = None
            self.lock.execute("BEGIN IMMEDIATE")
        self.received.append(envelope.content)
        return "250 2.0.0 Ok: queued as HELD"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_killed_between_acceptance_and_record_is_flagged_not_resent(
    db: None, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the worker-process test runs once, against its own SQLite file")
    db_file = tmp_path / "worker.sqlite3"
    port = free_port()
    inbox = LockingInbox(db_file)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "PLAINT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{db_file}",
        "PLAINT_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "PLAINT_EMAIL_FROM": "desk@acme.test",
    }
    try:
        assert run(env, "-m", "plaint", "migrate", "-v0").returncode == 0
        setup = run(env, "-c", SETUP, NOW.isoformat())
        assert setup.returncode == 0, setup.stderr
        worker = subprocess.Popen(
            [sys.executable, "-m", "plaint", "worker", "--once", "--now", NOW.isoformat()],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not inbox.received and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.05)
        assert len(inbox.received) == 1, "the server never received the message"
        time.sleep(0.5)  # the worker is now waiting for the lock to record the acceptance
        assert worker.poll() is None
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        assert inbox.lock is not None
        inbox.lock.execute("ROLLBACK")
        inbox.lock.close()

        with closing(sqlite3.connect(db_file)) as con:
            assert con.execute("SELECT status FROM outbox_delivery").fetchone() == ("sending",)
        # Within the lease nothing happens; after it, the delivery is flagged, not resent.
        after = (NOW + timedelta(minutes=10)).isoformat()
        again = run(env, "-m", "plaint", "worker", "--once", "--now", after)
        assert again.returncode == 0, again.stderr
        assert "1 flagged unknown" in again.stdout
        assert len(inbox.received) == 1  # sent once, never twice
        with closing(sqlite3.connect(db_file)) as con:
            status, error = con.execute("SELECT status, last_error FROM outbox_delivery").fetchone()
            outcomes = con.execute(
                "SELECT payload FROM cases_caseevent WHERE kind = 'message_delivery'"
            ).fetchall()
        assert status == "unknown" and "may have accepted it" in error
        assert len(outcomes) == 1 and '"outcome":"unknown"' in outcomes[0][0]
        listed = run(env, "-m", "plaint", "outbox", "list")
        assert "unknown to dana@example.org" in listed.stdout
        verify = run(env, "-m", "plaint", "verify")
        assert verify.returncode == 0, verify.stderr
    finally:
        controller.stop()
