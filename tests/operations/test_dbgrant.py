"""`plaint dbgrant`: on the real PostgreSQL server, an application role given its grants
can file a case's events but cannot UPDATE, DELETE or TRUNCATE the ledger, nor switch its
triggers off; a superuser role is refused as the application role."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from plaint.cases.models import Case

PASSWORD = "app-role-test"


def _as_superuser(database: str, statement: str) -> None:
    runuser = shutil.which("runuser") or "runuser"
    subprocess.run(
        [runuser, "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
         "-d", database, "-c", statement],
        cwd="/", check=True, capture_output=True, text=True, timeout=30,
    )  # fmt: skip


@pytest.fixture
def app_role(transactional_db: None) -> Iterator[str]:
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("creating a role needs the cluster's superuser (run as root)")
    role = f"plaint_app_{secrets.token_hex(4)}"
    database = str(connection.settings_dict["NAME"])
    _as_superuser("postgres", f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    try:
        yield role
    finally:
        _as_superuser(database, f"DROP OWNED BY {role}")
        _as_superuser("postgres", f"DROP ROLE {role}")


def _connect(role: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, dbname=s["NAME"], user=role,
        password=PASSWORD, autocommit=True,
    )  # fmt: skip


def test_the_app_role_cannot_rewrite_the_ledger(app_role: str, case: Case) -> None:
    out = StringIO()
    call_command("dbgrant", app_role, stdout=out)
    assert "REVOKE UPDATE, DELETE, TRUNCATE" in out.getvalue()  # printed, not yet applied
    call_command("dbgrant", app_role, "--apply", stdout=out)
    assert "only INSERT and SELECT the ledger" in out.getvalue()
    with _connect(app_role) as app:
        (count,) = app.execute("SELECT count(*) FROM cases_caseevent").fetchone() or (0,)
        assert count >= 1
        app.execute("UPDATE cases_case SET description = description WHERE id = %s", [case.pk])
        app.execute("SELECT count(*) FROM accesslog_accessrecord")  # admins read it through the app
        for statement in (
            "UPDATE cases_caseevent SET payload = payload",
            "DELETE FROM cases_caseevent",
            "TRUNCATE cases_caseevent",
            "ALTER TABLE cases_caseevent DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
            # the access log is append-only for the app role too
            "UPDATE accesslog_accessrecord SET actor_label = actor_label",
            "DELETE FROM accesslog_accessrecord",
            "TRUNCATE accesslog_accessrecord",
            "ALTER TABLE accesslog_accessrecord DISABLE TRIGGER ALL",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)


def test_a_superuser_is_refused(app_role: str) -> None:
    _as_superuser("postgres", f"ALTER ROLE {app_role} SUPERUSER")
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("dbgrant", app_role, "--apply")


def test_sqlite_says_it_has_no_roles(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite message")
    with pytest.raises(CommandError, match="dbgrant needs PostgreSQL"):
        call_command("dbgrant", "anyone")
