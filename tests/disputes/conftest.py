from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from tests.conftest import _staff


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"pw-{username}-123")
    return client


@pytest.fixture
def reviewer(org: Organisation) -> User:
    return _staff(org, "lee", Role.LEGAL_REVIEWER, "Lee", "Gal")


@pytest.fixture
def as_agent(agent: User) -> Client:
    return _client("alice")


@pytest.fixture
def as_reviewer(reviewer: User) -> Client:
    return _client("lee")


@pytest.fixture
def as_outsider(outsider: User) -> Client:
    return _client("oscar")


#: The desk and portal pages read the clock (today's date, a restriction's start): pin it
#: to the afternoon of the fixtures' Monday, 2 March 2026, so no test depends on the day
#: it runs.
PINNED = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    with time_machine.travel(PINNED, tick=False):
        yield
