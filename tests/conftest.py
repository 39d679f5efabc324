"""Shared fixtures. State is built through the real services, as users would build it."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import HttpRequest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import organisation_create, staff_create
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.services import CustomerDetails

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def pytest_report_header(config: pytest.Config) -> list[str]:
    from django.conf import settings

    lines = [f"plaint database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"]
    if moved := os.environ.get("PLAINT_TEST_CLOCK"):  # tests/test_fixed_days.py's runs
        # tests/clock/sitecustomize.py moved this process's clock; say so only if it did.
        if abs(datetime.now(UTC) - datetime.fromisoformat(moved)) > timedelta(hours=1):
            raise pytest.UsageError(
                f"PLAINT_TEST_CLOCK={moved} is set but the clock did not move: "
                "is tests/clock on PYTHONPATH?"
            )
        lines.append(f"plaint clock: moved to {moved}")
    return lines


@pytest.fixture(autouse=True, scope="session")
def _client_login_with_a_request() -> Iterator[None]:
    """django-axes' backend (first in AUTHENTICATION_BACKENDS) refuses to authenticate
    without a request, and Django's test `Client.login` passes none. Give it one, as
    axes' documentation says, so the tests' own logins go through the same throttle as
    the sign-in page (`force_login` never authenticates and needs nothing)."""
    original = Client.login

    def login(self: Client, **credentials: object) -> bool:
        credentials.setdefault("request", HttpRequest())
        return original(self, **credentials)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "login", login)
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    # Password hashing is deliberately slow; tests need logins, not protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


#: The append-only tables and the migrations whose triggers guard them.
_TRIGGERS = {
    "cases_caseevent": importlib.import_module("plaint.cases.migrations.0002_ledger_append_only"),
    "accesslog_accessrecord": importlib.import_module(
        "plaint.accesslog.migrations.0002_append_only"
    ),
}


@pytest.fixture
def _ledger_flushable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let Django's test flush empty the append-only tables (the ledger, the access log).
    Their triggers refuse the DELETE/TRUNCATE that `transactional_db` and `live_server`
    tests end with, so around that flush (and only in tests) they are dropped and created
    again."""
    original = connection.ops.sql_flush

    def sql_flush(style, tables, **kwargs):  # type: ignore[no-untyped-def]
        statements = original(style, tables, **kwargs)
        guarded = [m for table, m in _TRIGGERS.items() if table in tables]
        if not guarded or not statements:
            return statements
        down = [sql for m in guarded for sql in _down(m)]
        up = [sql for m in guarded for sql in _up(m)]
        return [*down, *statements, *up]

    monkeypatch.setattr(connection.ops, "sql_flush", sql_flush)


def _down(module):  # type: ignore[no-untyped-def]
    return {"sqlite": module.SQLITE_DOWN, "postgresql": module.POSTGRES_DOWN}[connection.vendor]


def _up(module):  # type: ignore[no-untyped-def]
    return {"sqlite": module.SQLITE_UP, "postgresql": module.POSTGRES_UP}[connection.vendor]


@pytest.fixture
def _django_db_helper(_ledger_flushable: None, _django_db_helper: None) -> None:
    """pytest-django's database helper (behind `db`, `transactional_db`, `live_server` and
    the django_db mark), able to flush the append-only ledger at teardown."""


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def org(db: None) -> Organisation:
    return organisation_create(slug="acme", name="Acme Energy", now=NOW, reference_prefix="AC")


@pytest.fixture
def other_org(db: None) -> Organisation:
    return organisation_create(slug="globex", name="Globex Telecom", now=NOW)


def _staff(org: Organisation, username: str, role: Role, first: str, last: str) -> User:
    return staff_create(
        organisation=org,
        username=username,
        password=f"pw-{username}-123",
        roles=[role],
        first_name=first,
        last_name=last,
    )


@pytest.fixture
def agent(org: Organisation) -> User:
    return _staff(org, "alice", Role.AGENT, "Alice", "Agent")


@pytest.fixture
def supervisor(org: Organisation) -> User:
    return _staff(org, "sue", Role.SUPERVISOR, "Sue", "Visor")


@pytest.fixture
def outsider(other_org: Organisation) -> User:
    return _staff(other_org, "oscar", Role.ADMIN, "Oscar", "Other")


def open_case(org: Organisation, user: User, **overrides: object) -> Case:
    fields: dict[str, object] = {
        "organisation": org,
        "customer": CustomerDetails(
            name="Dana Whitfield",
            email="dana@example.org",
            phone="+44 20 7946 0000",
            preferred_contact_times="weekdays after 5pm",
        ),
        "channel": "phone",
        "received_at": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        "description": "I was charged twice for my February bill.",
        "desired_resolution": "Refund the duplicate charge.",
        "product": "Energy supply",
        "order_number": "INV-12345",
        "account_number": "ACC-998877",
        "amount_in_dispute": Decimal("84.20"),
        "currency": "GBP",
        "regime": "UK-FCA-DISP",
        "actor": Actor.staff(user),
        "now": NOW,
    }
    fields.update(overrides)
    return services.case_open(**fields)  # type: ignore[arg-type]


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


@pytest.fixture
def vendor() -> str:
    return connection.vendor
