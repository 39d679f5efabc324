"""Fixtures of the API tests: tokens made through the service, and a client that sends
them. Requests go through Django's whole stack (middleware included), as in production."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.api import tokens
from tests.conftest import NOW


@pytest.fixture
def admin(org: Organisation) -> User:
    return staff_create(
        organisation=org,
        username="ada",
        password="pw-ada-123",
        roles=[Role.ADMIN],
        first_name="Ada",
        last_name="Admin",
    )


@pytest.fixture
def make_token(admin: User) -> Callable[..., str]:
    def make(
        scopes: tuple[str, ...] = ("read", "write", "letters"),
        owner: User | None = None,
        name: str = "",
        actor: User | None = None,
    ) -> str:
        owner = owner or admin
        made = tokens.token_create(
            organisation=owner.organisation,  # type: ignore[arg-type]
            owner=owner,
            name=name or f"t{tokens.ApiToken.objects.count()}",
            scopes=list(scopes),
            actor=actor or admin,
            now=NOW,
        )
        return made.secret

    return make


class ApiClient:
    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}", **extra}

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> Any:
        return self.client.get(path, query, headers=self._headers(headers or {}))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path, body or {}, content_type="application/json", headers=self._headers(headers or {})
        )

    def upload(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, data, headers=self._headers(headers or {}))

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.generic(method, path, headers=self._headers({}), **kwargs)


@pytest.fixture
def api(make_token: Callable[..., str]) -> ApiClient:
    return ApiClient(make_token())


CASE_BODY: dict[str, Any] = {
    "customer": {"name": "Dana Whitfield", "email": "dana@example.org"},
    "description": "I was charged twice for my February bill.",
    "channel": "web",
    "received_at": "2026-03-01T09:00:00+00:00",
    "product": "Energy supply",
    "amount_in_dispute": {"amount": "84.20", "currency": "GBP"},
    "regime": "UK-FCA-DISP",
}
