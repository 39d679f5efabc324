"""Admins and the other roles, signed in; the desk's fixtures reused."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.desk.conftest import (  # noqa: F401 (fixtures)
    _client,
    admin_of_org,
    as_agent,
    as_legal,
    as_outsider,
    as_supervisor,
    legal,
    other_agent,
)


@pytest.fixture
def as_admin(request: pytest.FixtureRequest) -> Client:
    request.getfixturevalue("admin_of_org")
    return _client("ada")
