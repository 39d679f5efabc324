"""The limiter is atomic: 16 calls at once against a limit of 5 let exactly 5 through,
on PostgreSQL as on SQLite; a new window starts afresh; the message says when to retry."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections

from plaint.config.appsettings import APP
from plaint.limits.models import LimitWindow
from plaint.limits.services import LimitExceeded, limit_require, limit_take
from plaint.portal.services import RateLimited, intake_throttle
from tests.conftest import NOW


@pytest.mark.django_db
def test_counts_within_a_window_and_starts_afresh() -> None:
    used = [
        limit_take(scope="complaint", key="10.0.0.1", limit=2, window=3600, now=NOW).allowed
        for _ in range(3)
    ]
    assert used == [True, True, False]
    other = limit_take(scope="complaint", key="10.0.0.2", limit=2, window=3600, now=NOW)
    assert other.allowed and other.used == 1
    later = NOW + timedelta(hours=1)
    assert limit_take(scope="complaint", key="10.0.0.1", limit=2, window=3600, now=later).allowed
    # The old window of that key is gone; the other key's stays until it is used again.
    assert LimitWindow.objects.filter(key="10.0.0.1").count() == 1


@pytest.mark.django_db
def test_the_refusal_says_when_to_try_again() -> None:
    limit_require(scope="s", key="k", limit=1, window=600, now=NOW, what="complaints")
    with pytest.raises(LimitExceeded) as refused:
        limit_require(scope="s", key="k", limit=1, window=600, now=NOW, what="complaints")
    seconds = int(NOW.timestamp())
    minutes = -(-(600 - seconds % 600) // 60)
    assert refused.value.message == (
        "Too many complaints: the limit is 1 per 10 minute(s). "
        f"Try again in {max(1, minutes)} minute(s)."
    )


@pytest.mark.django_db
def test_zero_means_no_limit() -> None:
    assert all(limit_take(scope="s", key="k", limit=0, window=60, now=NOW).allowed for _ in "abc")
    assert not LimitWindow.objects.exists()


@pytest.fixture
def sqlite_file_db(tmp_path: Path, django_db_blocker: Any) -> Iterator[str]:
    """On SQLite, an alias for a file-backed database of the test settings (WAL, BEGIN
    IMMEDIATE), which threads can share truly concurrently, each on a connection of its
    own: the in-memory test database is a shared cache, with table locks instead of the
    file's write lock. Used outside Django's test case (which forbids threads to open an
    alias it was not told of), its file removed with the folder."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only (PostgreSQL: the test below)")
    alias = "limits_concurrent"
    name = str(tmp_path / "concurrent.sqlite3")
    connections.settings[alias] = {**connections.settings[DEFAULT_DB_ALIAS], "NAME": name}
    with django_db_blocker.unblock():
        call_command("migrate", "limits", database=alias, verbosity=0)
        try:
            yield alias
        finally:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def _at_once(call: Callable[[], bool], n: int = 16) -> list[bool]:
    """`call` from `n` threads released together; what each returned."""
    start = threading.Barrier(n)
    results: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            results.append(call())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def _sixteen_against_five(using: str) -> None:
    """16 threads, each on its own connection, against a limit of 5: exactly 5 pass."""

    def take() -> bool:
        state = limit_take(
            scope="complaint", key="10.9.9.9", limit=5, window=3600, now=NOW, using=using
        )
        return state.allowed

    assert sorted(_at_once(take)) == [False] * 11 + [True] * 5
    row = LimitWindow.objects.using(using).get(scope="complaint", key="10.9.9.9")
    assert row.count == 16  # every use counted, the refused ones too


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_never_pass_the_limit_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite: the test below)")
    _sixteen_against_five(DEFAULT_DB_ALIAS)


def test_concurrent_calls_never_pass_the_limit_on_sqlite(sqlite_file_db: str) -> None:
    _sixteen_against_five(sqlite_file_db)


@pytest.mark.django_db(transaction=True)
def test_concurrent_complaints_from_one_address_pass_the_portal_limit_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The portal's own limit (PLAINT_PORTAL_RATE_LIMIT, here 5) under 16 requests at once:
    it used to read the recent rows and then insert, so 6 to 13 of the 16 got through on
    PostgreSQL."""
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("SQLite: the limiter's concurrency is shown by the test above")
    monkeypatch.setattr(
        "plaint.portal.services.APP",
        replace(APP, portal_rate_limit=5, portal_rate_window_minutes=60),
    )

    def file() -> bool:
        try:
            intake_throttle(ip="10.9.9.8", now=NOW)
        except RateLimited:
            return False
        return True

    assert sorted(_at_once(file)) == [False] * 11 + [True] * 5


@pytest.mark.django_db
def test_amounts_and_quotas_that_never_reset() -> None:
    first = limit_take(scope="bytes", key="case", limit=100, window=0, now=NOW, amount=60)
    second = limit_take(scope="bytes", key="case", limit=100, window=0, now=NOW, amount=60)
    assert (first.allowed, first.used, second.allowed, second.used) == (True, 60, False, 120)
    years_later = NOW + timedelta(days=3650)
    assert limit_take(scope="bytes", key="case", limit=100, window=0, now=years_later).used == 121
    # Past 2**31, for byte quotas of gigabytes.
    big = limit_take(scope="bytes", key="org", limit=5 << 30, window=86400, now=NOW, amount=3 << 30)
    assert big.allowed and big.used == 3 << 30
