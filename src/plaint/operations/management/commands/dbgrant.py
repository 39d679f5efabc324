"""`plaint dbgrant ROLE [--apply]`: print (or apply) the PostgreSQL grants of the
application role: read and write the ordinary tables, only INSERT and SELECT the ledger."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from plaint.domain.errors import DomainError
from plaint.operations.grants import grant_statements, grants_apply, role_problems


class Command(BaseCommand):
    help = (
        "Print or apply the PostgreSQL grants of the app role (ledger: insert only). "
        "With --apply the role is checked first (no superuser, replication or owner role). "
        "Run it as the owner role, after every migrate; the application then connects as ROLE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The application role (must exist, not a superuser).")
        parser.add_argument("--apply", action="store_true", help="Run the statements.")

    def handle(self, *args: Any, **options: Any) -> None:
        role: str = options["role"]
        if connection.vendor != "postgresql":
            raise CommandError(
                f"dbgrant needs PostgreSQL; this installation uses {connection.vendor} "
                "(a SQLite file has no roles: protect it with file permissions)."
            )
        if not options["apply"]:
            for problem in role_problems(role):
                self.stderr.write(f"warning: {problem}")
            connection.ensure_connection()
            raw = connection.connection
            database = str(connection.settings_dict["NAME"])
            for statement in grant_statements(role=role, database=database):
                self.stdout.write(statement.as_string(raw) + ";")
            return
        try:
            done = grants_apply(role=role)
        except DomainError as exc:
            raise CommandError(f"{role} cannot be the application role: {exc.message}") from None
        self.stdout.write(
            f"{len(done)} grant statement(s) applied: {role} may read and write the "
            "ordinary tables and only INSERT and SELECT the ledger and the access log."
        )
