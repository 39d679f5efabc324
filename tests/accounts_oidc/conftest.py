"""Fixtures of the single sign-on tests: a provider on loopback, Plaint configured to use
it for the organisation `acme`, and the whole flow driven through Django's test client
(Plaint's back end calls the provider over real HTTP; the browser's two hops to and from
the provider are made with `requests`)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client

from plaint.accounts import oidc
from plaint.accounts.models import Organisation
from plaint.config.appsettings import OidcConfig
from tests.accounts_oidc.provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.browser.conftest import browser, page  # noqa: F401  (the browser test's fixtures)


@pytest.fixture
def provider() -> Iterator[Provider]:
    running = Provider()
    yield running
    running.stop()


def sso_config(provider: Provider, **changes: object) -> OidcConfig:
    values: dict[str, object] = {
        "issuer": provider.url,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "organisation": "acme",
        "timeout_seconds": 5,
        **changes,
    }
    return OidcConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def sso(settings, provider: Provider, org: Organisation) -> Provider:  # type: ignore[no-untyped-def]
    """Single sign-on on, through `provider`, for `org` (acme)."""
    oidc._discovered.clear()
    settings.PLAINT_OIDC = sso_config(provider)
    return provider


def start(client: Client, **query: str):  # type: ignore[no-untyped-def]
    """The sign-in page's button: Plaint's answer (a redirect to the provider)."""
    return client.get("/login/sso/" + (f"?{urlencode(query)}" if query else ""))


def to_provider_and_back(response) -> str:  # type: ignore[no-untyped-def]
    """The browser follows Plaint's redirect to the provider, which redirects back: the
    callback's path and query."""
    assert response.status_code == 302, response.content
    answer = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.netloc == "testserver"
    return f"{back.path}?{back.query}"


def sign_on(client: Client, **query: str):  # type: ignore[no-untyped-def]
    """The whole single sign-on; Plaint's answer to the callback."""
    return client.get(to_provider_and_back(start(client, **query)))


def authorize_query(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
