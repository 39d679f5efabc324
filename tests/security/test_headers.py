"""Response headers and cookies on the desk and the portal: framing, sniffing, referrers,
caching of pages that hold personal data, and the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.portal.helpers import complaint, portal_token
from tests.security.conftest import World, password, signed_in
from tests.security.markup import Page

pytestmark = pytest.mark.django_db

#: Policies that never send a page's path (the portal's carries the private link) to
#: another site.
SAFE_REFERRER = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}

Fetch = Callable[[World], object]


def _link(world: World, suffix: str = "") -> str:
    return reverse("portal:case", kwargs={"org": "acme", "token": world.token()}) + suffix


def _expired(world: World) -> str:
    token = portal_token(world.case, now=timezone.now() - timedelta(days=400))
    return reverse("portal:case", kwargs={"org": "acme", "token": token})


def _desk(path: Callable[[World], str]) -> Fetch:
    return lambda w: signed_in("ada").get(path(w))


def _anyone(path: Callable[[World], str]) -> Fetch:
    return lambda w: Client().get(path(w))


def _letter(w: World, fmt: str) -> str:
    return f"/cases/{w.case.reference}/letters/{w.letter_seq}.{fmt}"


DESK_PERSONAL = {
    "desk case list": _desk(lambda w: "/"),
    "desk case rows (htmx)": lambda w: signed_in("ada").get("/", HTTP_HX_REQUEST="true"),
    "desk case page": _desk(lambda w: f"/cases/{w.case.reference}/"),
    "desk letter pdf": _desk(lambda w: _letter(w, "pdf")),
    "desk letter preview": _desk(
        lambda w: f"/cases/{w.case.reference}/letters/{w.letter_seq}/preview/"
    ),
}
PORTAL_PRIVATE = {
    "portal case page": _anyone(_link),
    "portal escalate page": _anyone(lambda w: _link(w, "escalate/")),
    "portal evidence download": _anyone(lambda w: _link(w, f"evidence/{w.customer_evidence.pk}/")),
    "portal letter pdf": _anyone(lambda w: _link(w, f"letters/{w.letter_seq}.pdf")),
    "portal received page": _anyone(lambda w: "/complain/acme/received/"),
    "portal bad link": _anyone(lambda w: "/complain/acme/case/not-a-link/"),
    "portal expired link": _anyone(_expired),
    "portal refused information": lambda w: Client().post(_link(w, "information/"), {"text": ""}),
}
OTHER = {
    "desk sign-in": _anyone(lambda w: "/login/"),
    "portal complaint form": _anyone(lambda w: "/complain/acme/"),
    "portal complaint refused": lambda w: Client().post(
        "/complain/acme/", complaint(email="not-an-address")
    ),
    "not found": _anyone(lambda w: "/no/such/page/"),
}
ALL = {**DESK_PERSONAL, **PORTAL_PRIVATE, **OTHER}


@pytest.mark.parametrize("page", list(ALL))
def test_every_response_forbids_framing_sniffing_and_leaking_the_address(
    page: str, world: World
) -> None:
    response = ALL[page](world)
    assert response.status_code in (200, 400, 404, 410), response.status_code  # type: ignore[attr-defined]
    frame = response.get("X-Frame-Options", "")  # type: ignore[attr-defined]
    if page == "desk letter preview":  # framed by the case page itself, and nothing else
        assert frame == "SAMEORIGIN"
    else:
        assert frame == "DENY"
    assert response.get("X-Content-Type-Options") == "nosniff"  # type: ignore[attr-defined]
    assert response.get("Referrer-Policy") in SAFE_REFERRER  # type: ignore[attr-defined]
    if response["Content-Type"].startswith("text/html"):  # type: ignore[index]
        assert "charset=utf-8" in response["Content-Type"]  # type: ignore[index]
        html = response.content.decode()  # type: ignore[attr-defined]
        for meta in Page(html).all("meta"):
            if meta.get("name") == "referrer":
                assert meta.get("content") in SAFE_REFERRER, meta


def _cache_control(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")
    }


@pytest.mark.parametrize("page", list(PORTAL_PRIVATE))
def test_portal_pages_reached_by_the_private_link_are_not_cached(page: str, world: World) -> None:
    response = PORTAL_PRIVATE[page](world)
    directives = _cache_control(response)
    assert {"no-store", "private"} & directives, response.get("Cache-Control")  # type: ignore[attr-defined]
    assert "public" not in directives


@pytest.mark.parametrize("page", list(DESK_PERSONAL))
def test_desk_pages_with_personal_data_are_not_cached(page: str, world: World) -> None:
    response = DESK_PERSONAL[page](world)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert {"no-store", "private"} & _cache_control(response), response.get("Cache-Control")  # type: ignore[attr-defined]


def test_the_sign_in_page_is_not_cached(db: None) -> None:
    assert "no-store" in _cache_control(Client().get("/login/"))


def test_the_session_cookie_is_http_only_and_same_site(admin) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/login/")
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] and csrf["samesite"].lower() in ("lax", "strict")
    response = client.post("/login/", {"username": "ada", "password": password("ada")})
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"].lower() in ("lax", "strict")
    assert session["path"] == "/"


def test_signing_in_gives_a_new_session_and_signing_out_ends_it(admin) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    name = django_settings.SESSION_COOKIE_NAME
    client.cookies[name] = "attackerchosensessionkey0000000000"
    assert (
        client.post("/login/", {"username": "ada", "password": password("ada")}).status_code == 302
    )
    key = client.cookies[name].value
    assert key != "attackerchosensessionkey0000000000"  # no session fixation
    assert client.get("/").status_code == 200
    thief = Client()
    thief.cookies[name] = key
    assert thief.get("/").status_code == 200  # (the stolen cookie works until sign-out...)
    assert client.post("/logout/", {}).status_code == 302
    assert thief.get("/").status_code == 302  # ...and not after: the session is gone
    assert client.get("/logout/").status_code == 405  # signing out is a POST (CSRF-protected)
