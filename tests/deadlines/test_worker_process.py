"""`plaint worker` for real: its own process, a SQLite file, mail through an SMTP server
on loopback. Nothing here reads the real clock: the cases are dated relative to a fixed
NOW and the worker runs at that NOW (`--now`), so the result is the same on every day."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.db import connection

from plaint.deadlines.models import CaseDeadline
from tests.conftest import open_case

# A Monday morning: the fresh case below came in two hours earlier, the old one 70 days
# earlier. (Any instant works; a Monday is the one the old, real-clock test failed on.)
NOW = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)

SETUP = textwrap.dedent("""
    import os, sys, django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    django.setup()
    from datetime import datetime, timedelta
    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    now = datetime.fromisoformat(sys.argv[1])
    org = organisation_create(slug="acme", name="Acme", now=now, reference_prefix="AC")
    staff_create(organisation=org, username="sue", password="pw-sue-12345",
                 roles=[Role.SUPERVISOR], email="sue@example.org")
    for hours_ago in (70 * 24, 2):  # one long overdue, one fresh
        case_open(organisation=org, customer=CustomerDetails(name="Dana"), channel="email",
                  received_at=now - timedelta(hours=hours_ago), description="Charged twice",
                  regime="UK-FCA-DISP", actor=Actor.system("setup"), now=now)
""")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=180, check=False
    )


def test_worker_sends_and_escalates_once(db: None, tmp_path: Path, smtp) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the worker end-to-end test runs once, against its own SQLite file")
    inbox, port = smtp
    db_file = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "PLAINT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{db_file}",
        "PLAINT_SMTP_URL": f"smtp://127.0.0.1:{port}",
        "PLAINT_EMAIL_FROM": "desk@acme.test",
    }
    assert run(env, "-m", "plaint", "migrate", "-v0").returncode == 0
    setup = run(env, "-c", SETUP, NOW.isoformat())
    assert setup.returncode == 0, setup.stderr

    first = run(env, "-m", "plaint", "worker", "--once", "--now", NOW.isoformat())
    assert first.returncode == 0, first.stderr
    missed = [m for m in inbox.messages if b"MISSED" in m[1]]
    # The 70-day-old case missed the house acknowledgement and response, and the FCA 8-week
    # final response; the fresh one missed nothing.
    assert len(missed) == 3
    for recipients, raw in missed:
        assert recipients == ["sue@example.org"]
        message = message_from_bytes(raw)
        assert message["From"] == "desk@acme.test"
        assert message["Subject"].startswith("[Plaint] AC-")
        assert "00:00" not in message.get_payload()  # end-of-day deadlines read "end of ..."

    second = run(env, "-m", "plaint", "worker", "--once", "--now", NOW.isoformat())
    assert second.returncode == 0, second.stderr
    assert len([m for m in inbox.messages if b"MISSED" in m[1]]) == 3  # nothing sent twice

    with sqlite3.connect(db_file) as con:
        breached = con.execute(
            "SELECT COUNT(*) FROM cases_caseevent WHERE kind = 'deadline_breached'"
        ).fetchone()[0]
        statuses = dict(con.execute("SELECT reference, status FROM cases_case").fetchall())
        priorities = dict(con.execute("SELECT reference, priority FROM cases_case").fetchall())
    assert breached == 3
    old, fresh = sorted(statuses, key=lambda ref: statuses[ref] != "escalated")
    assert statuses[old] == "escalated" and priorities[old] == "urgent"
    assert statuses[fresh] == "received" and priorities[fresh] == "normal"
    verify = run(env, "-m", "plaint", "verify")
    assert verify.returncode == 0, verify.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            "2026-03-09T09:00",
            "--now '2026-03-09T09:00' has no UTC offset; add one, e.g. 2026-03-09T09:00:00+00:00.",
            id="no-offset",
        ),
        pytest.param(
            "next monday",
            "--now 'next monday' is not a date and time; write it as ISO 8601 with its UTC "
            "offset, e.g. 2026-03-04T10:30:00+00:00.",
            id="not-a-datetime",
        ),
    ],
)
@pytest.mark.parametrize("command", ["tick", "worker"])
def test_now_must_be_an_instant(case, command: str, value: str, message: str) -> None:
    with pytest.raises(CommandError) as refused:
        call_command(command, *(["--once"] if command == "worker" else []), "--now", value)
    assert str(refused.value) == message
    assert not CaseDeadline.objects.filter(state=CaseDeadline.State.MISSED).exists()


def test_tick_runs_at_the_pinned_instant(org, agent, capsys: pytest.CaptureFixture[str]) -> None:
    """The same case, ticked at two pinned instants: fresh at the first, overdue at the
    second, whatever the real clock says."""
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    open_case(org, agent, received_at=received, now=received)
    call_command("tick", "--now", "2026-03-02T10:00:00+00:00")
    assert "0 missed deadline(s)" in capsys.readouterr().out
    call_command("tick", "--now", "2026-06-01T10:00:00Z")
    assert "3 missed deadline(s)" in capsys.readouterr().out
