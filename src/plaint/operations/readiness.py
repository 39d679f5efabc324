"""Is this installation fit to serve the public? `plaint serve --check` asks, and
`plaint serve` refuses to start while any answer is no. Each problem comes with what to
change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from plaint.config.appsettings import APP, AppSettings
from plaint.demo.loading import DEMO_PASSWORD

DEVELOPMENT_HOSTS = {"127.0.0.1", "localhost", "::1"}
MIN_SECRET_LENGTH = 32


def readiness_problems(*, app: AppSettings | None = None) -> list[str]:
    """Every reason not to serve production traffic yet (empty: ready)."""
    app = APP if app is None else app
    problems: list[str] = []
    if settings.DEBUG:
        problems.append(
            "PLAINT_DEBUG is on: error pages would show settings and code to anyone; "
            "set PLAINT_DEBUG=false"
        )
    if not app.secret_key:
        problems.append(
            "PLAINT_SECRET_KEY is not set: a key generated into the data folder is lost "
            "with it and differs between machines; set a random value of at least "
            f"{MIN_SECRET_LENGTH} characters"
        )
    elif len(app.secret_key) < MIN_SECRET_LENGTH:
        problems.append(
            f"PLAINT_SECRET_KEY is {len(app.secret_key)} characters long; use at least "
            f"{MIN_SECRET_LENGTH} random characters"
        )
    hosts = set(settings.ALLOWED_HOSTS)
    if not hosts:
        problems.append("PLAINT_ALLOWED_HOSTS is empty: no request would be answered")
    elif "*" in hosts:
        problems.append(
            "PLAINT_ALLOWED_HOSTS contains '*': any Host header is accepted (links in "
            "e-mails could point elsewhere); list the host names the desk is served under"
        )
    elif hosts <= DEVELOPMENT_HOSTS:
        problems.append(
            "PLAINT_ALLOWED_HOSTS lists only this machine "
            f"({', '.join(sorted(hosts))}); add the host name the desk is served under"
        )
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        problems.append(f"the database cannot be reached: {str(exc).strip().splitlines()[0]}")
        return problems
    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:3])
        more = f" and {len(pending) - 3} more" if len(pending) > 3 else ""
        problems.append(
            f"{len(pending)} migration(s) not applied ({names}{more}): run `plaint migrate`"
        )
        return problems
    demo = [
        user.get_username()
        for user in get_user_model().objects.filter(is_active=True)
        if user.check_password(DEMO_PASSWORD)
    ]
    if demo:
        problems.append(
            f"{len(demo)} active account(s) still have the demo password "
            f"({', '.join(sorted(demo)[:5])}): change them or deactivate them"
        )
    return problems
