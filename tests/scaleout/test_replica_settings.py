"""DATABASE_REPLICA_URL and PLAINT_READ_PIN_SECONDS, and what the router and the pin do
without a running replica (on every database). The real standby is in test_replica.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from plaint.cases.models import Case
from plaint.config.appsettings import AppSettings, SettingsError
from plaint.config.replicas import (
    PIN_COOKIE,
    REPLICA,
    ReadYourWritesMiddleware,
    ReplicaRouter,
    replica_alias,
    stale_ok,
)

PG = "postgres://u:p@127.0.0.1:5432/plaint"
STANDBY = "postgres://u:p@127.0.0.1:5433/plaint"


def test_the_replica_url_and_the_pin_are_read_and_checked() -> None:
    env = {"DATABASE_URL": PG, "DATABASE_REPLICA_URL": STANDBY, "PLAINT_READ_PIN_SECONDS": "5"}
    read = AppSettings.from_env(env)
    assert (read.database_replica_url, read.read_pin_seconds) == (STANDBY, 5)
    unset = AppSettings.from_env({})
    assert (unset.database_replica_url, unset.read_pin_seconds) == ("", 10)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"DATABASE_URL": PG, "DATABASE_REPLICA_URL": "sqlite:///copy.sqlite3"},
            "DATABASE_REPLICA_URL must be a PostgreSQL URL",
        ),
        ({"DATABASE_REPLICA_URL": STANDBY}, "needs DATABASE_URL to be PostgreSQL too"),
        (
            {"DATABASE_URL": "sqlite:///x.sqlite3", "DATABASE_REPLICA_URL": STANDBY},
            "SQLite has no replicas",
        ),
        ({"PLAINT_READ_PIN_SECONDS": "-3"}, "PLAINT_READ_PIN_SECONDS must not be negative"),
        ({"PLAINT_READ_PIN_SECONDS": "ten"}, "PLAINT_READ_PIN_SECONDS must be a whole number"),
    ],
)
def test_bad_replica_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        AppSettings.from_env(env)


def test_the_replica_is_a_second_database_that_mirrors_the_primary_under_tests(
    tmp_path: Path,
) -> None:
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES['replica']; "
        "print(r['PORT'], r['TEST']['MIRROR'], r['DISABLE_SERVER_SIDE_CURSORS'], "
        "s.PLAINT_READ_PIN_SECONDS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "plaint.config.settings",
        "PLAINT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": PG,
        "DATABASE_REPLICA_URL": STANDBY,
        "PLAINT_DATABASE_POOLED": "1",
        "PLAINT_READ_PIN_SECONDS": "7",
    }
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["5433", "default", "True", "7"]


def test_without_a_replica_every_read_is_the_primarys_and_no_pin_is_set(db: None) -> None:
    assert REPLICA not in settings.DATABASES
    assert replica_alias() == "default"
    with stale_ok() as alias:
        assert alias == "default"
    request = RequestFactory().post("/views/")
    response = ReadYourWritesMiddleware(lambda r: HttpResponse())(request)
    assert PIN_COOKIE not in response.cookies


def test_the_router_writes_on_the_primary_and_never_migrates_the_replica() -> None:
    router = ReplicaRouter()
    assert router.db_for_write(Case, instance=Case()) == "default"
    assert router.db_for_read(Case) is None  # outside stale_ok(): Django's default
    # the primary, and any second database a command or test names, migrate as Django
    # would without the router (the SQLite limiter test migrates a file database of its own)
    assert router.allow_migrate("default", "cases") is None
    assert router.allow_migrate("second", "cases") is None
    assert router.allow_migrate(REPLICA, "cases") is False


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica in the settings (never connected to: these tests only choose the alias)."""
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, REPLICA: {}})
    monkeypatch.setattr(settings, "PLAINT_READ_PIN_SECONDS", 12)


def _alias_seen(request: HttpRequest) -> tuple[str, HttpResponse]:
    seen: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica_alias())
        with stale_ok():
            seen.append(str(ReplicaRouter().db_for_read(Case)))
        return HttpResponse()

    response = ReadYourWritesMiddleware(view)(request)
    assert seen[0] == seen[1]
    return seen[0], response


def test_a_write_pins_the_writers_reads_to_the_primary_for_the_window(configured: None) -> None:
    factory = RequestFactory()
    assert _alias_seen(factory.get("/"))[0] == REPLICA  # an ordinary read, no recent write
    alias, response = _alias_seen(factory.post("/cases/AC-1/actions/note/"))
    assert alias == "default"  # the write request itself reads the primary
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == 12 and pin["httponly"] and pin["samesite"] == "Lax"
    pinned = factory.get("/")
    pinned.COOKIES[PIN_COOKIE] = pin.value
    assert _alias_seen(pinned)[0] == "default"  # within the window: the primary
    assert replica_alias() == REPLICA  # the pin ends with the request


def test_no_pin_without_a_window(configured: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "PLAINT_READ_PIN_SECONDS", 0)
    response = ReadYourWritesMiddleware(lambda r: HttpResponse())(RequestFactory().post("/"))
    assert PIN_COOKIE not in response.cookies
