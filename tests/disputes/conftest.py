from __future__ import annotations

import pytest
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
