"""Response headers and cookies on the desk and the portal: framing, sniffing, referrers,
caching of pages that hold personal data, and the session cookie."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.conftest import NOW
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
    token = portal_token(world.case, now=NOW - timedelta(days=400))  # long expired
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


# ---------------------------------------------------------------- Content-Security-Policy


def _consumer_local(path: str) -> Fetch:
    def fetch(world: World) -> object:
        from django.test import override_settings

        with override_settings(CONSUMER_LOCAL=True):
            return Client().get(path)

    return fetch


#: One of every kind of page: the desk (queue, case page, its htmx fragment, reports,
#: reputation, the team), the sign-in page, the portal, the consumer's workspace (local
#: and hosted) and the API's interactive docs.
CSP_PAGES = {
    **{name: fetch for name, fetch in ALL.items() if name != "desk letter preview"},
    "desk reports": _desk(lambda w: "/reports/"),
    "desk reputation": _desk(lambda w: "/reputation/"),
    "desk team": _desk(lambda w: "/admin/team/"),
    "consumer home (local)": _consumer_local("/consumer/"),
    "consumer sign-in (hosted)": _anyone(lambda w: "/consumer/sign-in/"),
    "api docs": _anyone(lambda w: "/api/v1/docs"),
    "api schema": _anyone(lambda w: "/api/v1/openapi.json"),
}

UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "http:", "https:"}


def csp_directives(header: str) -> dict[str, list[str]]:
    """The policy as {directive: [sources]} (directive names in lower case)."""
    policy: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0].lower()] = words[1:]
    return policy


def _sources(policy: dict[str, list[str]], directive: str) -> list[str]:
    """What a directive allows, falling back to default-src as browsers do."""
    return policy.get(directive, policy.get("default-src", []))


@pytest.mark.parametrize("page", list(CSP_PAGES))
def test_every_page_has_a_strict_content_security_policy(page: str, world: World) -> None:
    response = CSP_PAGES[page](world)
    assert response.status_code in (200, 400, 404, 410), response.status_code  # type: ignore[attr-defined]
    header = response.get("Content-Security-Policy", "")  # type: ignore[attr-defined]
    assert header, f"{page}: no Content-Security-Policy"
    policy = csp_directives(header)
    for directive in ("script-src", "style-src", "script-src-elem", "style-src-elem"):
        allowed = set(_sources(policy, directive))
        assert allowed, f"{page}: {directive} allows everything"
        assert not allowed & UNSAFE, f"{page}: {directive} {sorted(allowed & UNSAFE)}"
    for directive in ("script-src-attr", "style-src-attr"):
        # Without its own directive, *-src-attr falls back to script-src/style-src.
        fallback = directive.replace("-attr", "")
        allowed = set(policy.get(directive, _sources(policy, fallback)))
        assert not allowed & UNSAFE, f"{page}: {directive} {sorted(allowed & UNSAFE)}"
    assert policy.get("default-src") in (["'self'"], ["'none'"]), policy.get("default-src")
    assert policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("base-uri") in (["'self'"], ["'none'"])
    assert policy.get("form-action") == ["'self'"]


@pytest.mark.parametrize("page", [name for name in CSP_PAGES if name not in ("api schema",)])
def test_html_pages_carry_no_inline_script_or_style_the_policy_would_refuse(
    page: str, world: World
) -> None:
    """What the policy refuses must not be in the page at all: no style="..." attribute, no
    inline event handler, no javascript: address, and an inline <style> or <script> only
    with the response's own nonce (a JSON data island is not run, so it needs none)."""
    response = CSP_PAGES[page](world)
    if not response["Content-Type"].startswith("text/html"):  # type: ignore[index]
        pytest.skip("not a page")
    policy = csp_directives(response["Content-Security-Policy"])  # type: ignore[index]
    nonces = {
        source[len("'nonce-") : -1]
        for source in policy.get("style-src", []) + policy.get("script-src", [])
        if source.startswith("'nonce-")
    }
    markup = Page(response.content.decode())  # type: ignore[attr-defined]
    for element in markup.elements:
        assert "style" not in element.attrs, f"{page}: {element}"
        handlers = [name for name in element.attrs if name.startswith("on")]
        assert not handlers, f"{page}: {element}"
    for element, _name, url in markup.url_values():
        assert not url.strip().lower().startswith("javascript:"), f"{page}: {element}"
    for element in markup.all("style", "script"):
        if element.tag == "script" and element.get("src"):
            continue
        if element.tag == "script" and element.get("type") == "application/json":
            continue
        assert element.get("nonce") in nonces, f"{page}: inline {element} without the nonce"


def test_the_nonce_is_new_on_every_response(world: World) -> None:
    client = signed_in("ada")
    first = csp_directives(client.get("/reports/")["Content-Security-Policy"])
    second = csp_directives(client.get("/reports/")["Content-Security-Policy"])
    nonce = [s for s in first["style-src"] if s.startswith("'nonce-")]
    assert nonce, "the reports page styles its charts by nonce"
    assert nonce != [s for s in second["style-src"] if s.startswith("'nonce-")]


def test_the_letter_preview_is_sandboxed_and_framed_only_by_the_desk(world: World) -> None:
    """The one policy that allows inline style: the kept HTML of a letter carries its own
    <style> (the letter as sent; hashes would change with every stored letter). It is shown
    in a sandboxed frame with nothing else allowed: no script, no form, no plugin."""
    response = DESK_PERSONAL["desk letter preview"](world)
    policy = csp_directives(response["Content-Security-Policy"])  # type: ignore[index]
    assert "sandbox" in policy
    assert policy["default-src"] == ["'none'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert "script-src" not in policy  # so default-src 'none': no script at all
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["form-action"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


#: Powerful features no page of Plaint uses: every one is denied to the page and to
#: anything it might frame.
DENIED_FEATURES = (
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "bluetooth",
    "hid",
    "midi",
    "display-capture",
    "accelerometer",
    "gyroscope",
    "magnetometer",
    "browsing-topics",
)


@pytest.mark.parametrize("page", list(CSP_PAGES))
def test_every_response_denies_powerful_browser_features(page: str, world: World) -> None:
    response = CSP_PAGES[page](world)
    header = response.get("Permissions-Policy", "")  # type: ignore[attr-defined]
    features = dict(part.strip().split("=", 1) for part in header.split(",") if part.strip())
    for feature in DENIED_FEATURES:
        assert features.get(feature) == "()", f"{page}: {feature}={features.get(feature)}"
