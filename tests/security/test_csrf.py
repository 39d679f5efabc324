"""CSRF on every form, driven by the URLconf: each route found there is posted to by the
kind of user who may use it, without a token (and with a wrong one, and from another
site), and must answer 403 from the CSRF check and write nothing. The same request with
the right token must get past the check, so the 403 is known to be the token's doing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.security.conftest import Snapshot, World, signed_in, with_csrf_cookie
from tests.security.routes import (
    ANYONE,
    CUSTOMER,
    RECIPES,
    ROUTE_NAMES,
    STAFF,
    Request,
    discovered_routes,
    requests_for,
)

pytestmark = pytest.mark.django_db

#: Routes that accept a POST without a CSRF token, each with the reason. The portal is
#: anonymous, but its forms are still posted from its own pages, so it is not here.
CSRF_EXEMPT: dict[str, str] = {
    "csp_report": "browsers send violation reports with no token; it logs and stores nothing",
    "messaging:inbound_mailgun": "a mail service posts it, signed (HMAC) and with basic auth",
    "messaging:inbound_postmark": "a mail service posts it, with basic auth",
}

#: Routes known to take a POST; the discovered list must contain them all.
KNOWN_POST_ROUTES = {
    "login",
    "logout",
    "password_confirm",
    "desk:case_action",
    "desk:letter_generate",
    "desk:letter_sent",
    "portal:complaint_form",
    "portal:information",
    "portal:reply",
    "portal:offer_answer",
    "portal:link_request",
    "portal:evidence",
    "portal:escalate",
    "csp_report",
}

CSRF_FAILURE = b"CSRF verification failed"


def _client(who: str, *, csrf: bool) -> Client:
    if who == STAFF:
        return signed_in("ada", csrf=csrf)
    assert who in (CUSTOMER, ANYONE), who
    return Client(enforce_csrf_checks=csrf)


def _accepts_post(request: Request) -> bool:
    """Ask the view with OPTIONS: views restricted to some methods say which in `Allow`
    (405 for function views, 200 for class-based ones). A view that answers OPTIONS
    without an `Allow` header takes any method, POST included."""
    response = _client(request.who, csrf=False).options(request.url)
    allow = response.get("Allow")
    if allow is None:
        assert response.status_code != 405, request
        return True
    return "POST" in {m.strip().upper() for m in allow.split(",")}


def test_the_route_table_knows_every_route() -> None:
    names = set(ROUTE_NAMES)
    assert len(names) >= 15, names
    assert names >= KNOWN_POST_ROUTES
    unknown, stale = names - set(RECIPES), set(RECIPES) - names
    assert not unknown, f"new routes: say how to reach them in tests/security/routes.py: {unknown}"
    assert not stale, f"routes gone from the URLconf: {stale}"


def test_no_view_is_exempt_from_csrf() -> None:
    exempt = {r.name for r in discovered_routes() if getattr(r.callback, "csrf_exempt", False)}
    assert exempt == set(CSRF_EXEMPT)


def test_the_routes_taking_posts_are_found(world: World) -> None:
    takes_post = {
        request.route.split("[")[0]
        for name in ROUTE_NAMES
        for request in requests_for(name, world)
        if _accepts_post(request)
    }
    assert takes_post >= KNOWN_POST_ROUTES, KNOWN_POST_ROUTES - takes_post
    # GET-only downloads and pages say so.
    assert {"desk:letter_file", "portal:case", "portal:letter_pdf"}.isdisjoint(takes_post)


def _variants(token: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """(extra body, extra headers) of each forged request, with the cookie set."""
    return {
        "cookie but no token": ({}, {}),
        "wrong token": ({"csrfmiddlewaretoken": "x" * 32}, {}),
        "right token from another site": (
            {"csrfmiddlewaretoken": token},
            {"HTTP_ORIGIN": "https://evil.example"},
        ),
    }


@pytest.mark.parametrize("route", ROUTE_NAMES)
def test_post_without_a_valid_token_is_refused_and_writes_nothing(
    route: str, world: World, snapshot: Callable[[], Snapshot]
) -> None:
    if route in CSRF_EXEMPT:  # no token is asked for; the view must write nothing
        for request in requests_for(route, world):
            before = snapshot()
            response = _client(request.who, csrf=True).post(request.url, request.body)
            assert response.status_code != 403, request.route
            assert snapshot() == before, request.route
        return
    for index, request in enumerate(requests_for(route, world)):
        takes_post = _accepts_post(request)

        def fresh(index: int = index) -> Request:
            return requests_for(route, world)[index]  # uploads are read once: rebuild them

        client = _client(request.who, csrf=True)
        before = snapshot()
        response = client.post(request.url, request.body)  # no cookie, no token
        assert response.status_code == 403, (request.route, response.status_code)
        assert CSRF_FAILURE in response.content, request.route
        assert snapshot() == before, request.route

        token = with_csrf_cookie(client)
        for variant, (extra, headers) in _variants(token).items():
            response = client.post(request.url, {**fresh().body, **extra}, **headers)
            assert response.status_code == 403, (request.route, variant)
            assert CSRF_FAILURE in response.content, (request.route, variant)
            assert snapshot() == before, (request.route, variant)

        # Control: with its token, the same request is not stopped by the CSRF check.
        response = client.post(request.url, {**fresh().body, "csrfmiddlewaretoken": token})
        assert CSRF_FAILURE not in response.content, request.route
        if takes_post:
            assert response.status_code not in (403, 405), (request.route, response.status_code)
        else:
            assert response.status_code == 405, (request.route, response.status_code)
