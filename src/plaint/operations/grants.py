"""The privileges of the PostgreSQL application role.

The owner role runs the migrations and owns every table, the ledger included. The
application role that the desk, portal, API and worker connect as may read and write the
ordinary tables, but may only INSERT and SELECT the ledger's: without UPDATE, DELETE or
TRUNCATE, and without being a superuser (which could turn the append-only triggers off
with `session_replication_role = replica`) or the table's owner (who could drop them),
rewriting history needs the owner's password.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from psycopg import sql

from plaint.accesslog.models import AccessRecord
from plaint.cases.models import CaseEvent
from plaint.domain.errors import DomainError

#: Tables that are append-only for the application role.
LEDGER_TABLES: tuple[str, ...] = (CaseEvent._meta.db_table, AccessRecord._meta.db_table)


@dataclass(frozen=True)
class RoleState:
    exists: bool
    superuser: bool = False
    replication: bool = False
    bypass_rls: bool = False
    owns: tuple[str, ...] = ()


def grant_statements(*, role: str, database: str, schema: str = "public") -> list[sql.Composed]:
    """The statements that give `role` what the application needs and no more."""
    r, s = sql.Identifier(role), sql.Identifier(schema)
    out = [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            s, r
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
    ]
    out += [
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {}.{} FROM {}").format(
            s, sql.Identifier(table), r
        )
        for table in LEDGER_TABLES
    ]
    return out


def role_state(role: str) -> RoleState:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [role],
        )
        row = cursor.fetchone()
        if row is None:
            return RoleState(exists=False)
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE tableowner = %s AND tablename = ANY(%s)",
            [role, list(LEDGER_TABLES)],
        )
        owns = tuple(name for (name,) in cursor.fetchall())
    return RoleState(True, bool(row[0]), bool(row[1]), bool(row[2]), owns)


def role_problems(role: str) -> list[str]:
    """Why `role` cannot be the application role, one message each (empty: it can)."""
    if connection.vendor != "postgresql":
        return ["database roles need PostgreSQL; this installation uses " + connection.vendor]
    state = role_state(role)
    if not state.exists:
        return [f"no role {role!r} exists (create it first: CREATE ROLE {role} LOGIN PASSWORD …)"]
    problems = []
    if state.superuser:
        problems.append(f"{role} is a superuser: it could switch the ledger's triggers off")
    if state.replication:
        problems.append(f"{role} has REPLICATION: it could bypass the ledger's triggers")
    if state.bypass_rls:
        problems.append(f"{role} has BYPASSRLS: the application role must not")
    if state.owns:
        problems.append(
            f"{role} owns {', '.join(state.owns)}: an owner can drop the append-only "
            "triggers; the tables must belong to the role that runs migrations"
        )
    return problems


def grants_apply(*, role: str) -> list[str]:
    """Check `role`, then grant; returns the statements run. Raises DomainError with every
    problem when the role is not fit to be the application role."""
    problems = role_problems(role)
    if problems:
        raise DomainError("; ".join(problems))
    statements = grant_statements(role=role, database=str(connection.settings_dict["NAME"]))
    texts = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            texts.append(statement.as_string(cursor.connection))
    return texts
