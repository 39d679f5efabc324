"""The limiter is atomic: 16 calls at once against a limit of 5 let exactly 5 through,
on PostgreSQL as on SQLite; a new window starts afresh; the message says when to retry."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from plaint.limits.models import LimitWindow
from plaint.limits.services import LimitExceeded, limit_require, limit_take
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


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_never_pass_the_limit() -> None:
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a file-backed SQLite database or PostgreSQL")
    start = threading.Barrier(16)
    allowed: list[bool] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            start.wait()
            state = limit_take(scope="complaint", key="10.9.9.9", limit=5, window=3600, now=NOW)
            allowed.append(state.allowed)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(allowed) == [False] * 11 + [True] * 5
