"""The `plaint` command end to end, in separate processes against a real SQLite file:
create an organisation, import, verify (in parallel), tamper, verify again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.integration.test_import import row, to_csv


def plaint(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "plaint", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli_env(db: None, tmp_path: Path) -> dict[str, str]:
    if connection.vendor != "sqlite":
        pytest.skip("the CLI end-to-end test runs once, against its own SQLite file")
    return _cli_env(tmp_path)


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PLAINT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
    }
    assert plaint(env, "migrate", "-v0").returncode == 0
    return env


def test_import_verify_tamper(cli_env: dict[str, str], tmp_path: Path) -> None:
    done = plaint(cli_env, "organisation", "create", "acme", "Acme Energy", "--prefix", "AC")
    assert done.returncode == 0, done.stderr
    assert "Created organisation acme" in done.stdout
    again = plaint(cli_env, "organisation", "create", "acme", "Acme again")
    assert again.returncode == 1 and "already exists" in again.stderr

    csv_path = tmp_path / "complaints.csv"
    csv_path.write_text(to_csv([row(n) for n in range(1, 201)]), encoding="utf-8")
    imported = plaint(cli_env, "import", "cfpb", str(csv_path), "--org", "acme")
    assert imported.returncode == 0, imported.stderr
    assert "200 imported" in imported.stdout
    assert "Deadlines and triage: 200 case(s) derived" in imported.stdout

    db = sqlite3.connect(tmp_path / "cli.sqlite3")
    events = db.execute("SELECT count(*) FROM cases_caseevent").fetchone()[0]
    target = db.execute(
        "SELECT id FROM cases_caseevent WHERE seq = 1 ORDER BY id LIMIT 1 OFFSET 149"
    ).fetchone()[0]
    assert events > 200  # the opening events and the derived deadlines and triage
    for workers in ("1", "2"):
        ok = plaint(cli_env, "verify", "--workers", workers)
        assert ok.returncode == 0, ok.stderr
        assert f"200 case(s), {events} event(s)" in ok.stdout

    with db:
        try:
            db.execute("UPDATE cases_caseevent SET payload = '{}' WHERE id = ?", (target,))
            pytest.fail("the append-only trigger let an UPDATE through")
        except sqlite3.IntegrityError as exc:
            assert "append-only" in str(exc)
    with db:  # what someone with the database file in hand could do
        db.execute("DROP TRIGGER plaint_case_event_no_update")
        db.execute("UPDATE cases_caseevent SET actor_label = 'Mallory' WHERE id = ?", (target,))
    reference, case_events = db.execute(
        "SELECT c.reference, c.ledger_length FROM cases_case c "
        "JOIN cases_caseevent e ON e.case_id = c.id WHERE e.id = ?",
        (target,),
    ).fetchone()
    db.close()
    for workers in ("1", "2"):
        bad = plaint(cli_env, "verify", "--workers", workers)
        assert bad.returncode == 1
        assert f"BROKEN acme/{reference} event #1: content does not match its hash" in bad.stderr
        assert f"FAILED: 1 broken chain(s); 200 case(s), {events} event(s)" in bad.stderr
    one = plaint(cli_env, "verify", "--case", reference)
    assert one.returncode == 1 and f"1 case(s), {case_events} event(s)" in one.stderr


def test_staff_add(cli_env: dict[str, str]) -> None:
    plaint(cli_env, "organisation", "create", "acme", "Acme Energy")
    env = {**cli_env, "PLAINT_NEW_PASSWORD": "correct horse battery"}
    added = plaint(
        env, "staff", "add", "alice", "--org", "acme", "--role", "agent", "--role", "legal_reviewer"
    )
    assert added.returncode == 0, added.stderr
    assert "as agent, legal_reviewer" in added.stdout
    short = plaint(
        {**cli_env, "PLAINT_NEW_PASSWORD": "short"},
        "staff",
        "add",
        "bob",
        "--org",
        "acme",
        "--role",
        "agent",
    )
    assert short.returncode == 1 and "at least 8" in short.stderr
    listed = plaint(cli_env, "organisation", "list")
    assert "acme" in listed.stdout
