"""Insecure direct object references, swept over the route table: staff of another
organisation (and, on the desk, an agent for a case that is not theirs) naming a case by
its reference; a customer's link naming another case's evidence or letters; tampered,
forged, expired and foreign links; references and ids tried in sequence. Whatever is
refused is refused the same way as something that does not exist (404, no existence
leaked), shows no case data, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plaint.accounts.models import User
from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent, Evidence
from plaint.cases.services import case_assign
from plaint.letters.selectors import case_letter_file, case_letters
from plaint.portal.links import LEGACY_SALT
from tests.conftest import NOW
from tests.portal.helpers import portal_token
from tests.security.conftest import Snapshot, World, signed_in
from tests.security.routes import (
    CUSTOMER,
    RECIPES,
    ROUTE_NAMES,
    Request,
    discovered_routes,
    requests_for,
)
from tests.security.test_csrf import _accepts_post

pytestmark = pytest.mark.django_db

_KNOWN = [n for n in ROUTE_NAMES if n in RECIPES]  # unknown routes fail in test_csrf
DESK_CASE_ROUTES = [n for n in _KNOWN if "reference" in RECIPES[n].objects]
MEMBER_ROUTES = [n for n in _KNOWN if "user_id" in RECIPES[n].objects]
LINK_ROUTES = [n for n in _KNOWN if RECIPES[n].who == CUSTOMER]
SEQ_ROUTES = [n for n in _KNOWN if "seq" in RECIPES[n].objects]
#: Routes that name a case but answer the same for one the user may not see as for one
#: that does not exist or has not changed, instead of 404; each with where that is tested.
SILENT_ROUTES = {
    "desk:case_version": "204 with no body (tests/desk/test_collision.py, another organisation)",
}


def test_the_sweeps_cover_every_route_that_names_an_object() -> None:
    assert {"desk:case_detail", "desk:case_action", "desk:letter_file"} <= set(DESK_CASE_ROUTES)
    assert {"portal:case", "portal:evidence_download", "portal:escalate"} <= set(LINK_ROUTES)
    for route in discovered_routes():
        if route.name not in RECIPES:
            continue  # reported by test_csrf.test_the_route_table_knows_every_route
        if "user_id" in route.arguments:
            assert route.name in MEMBER_ROUTES, route
        if "reference" in route.arguments:
            assert route.name in DESK_CASE_ROUTES or route.name in SILENT_ROUTES, route
        if "token" in route.arguments:
            assert route.name in LINK_ROUTES, route
        for argument in ("seq", "pk"):
            if argument in route.arguments:
                assert argument in RECIPES[route.name].objects, route


@pytest.fixture
def posting(world: World) -> set[str]:
    """The routes that take a POST (asked before any snapshot: asking signs clients in)."""
    return {name for name in _KNOWN if _accepts_post(requests_for(name, world)[0])}


def _send(  # type: ignore[no-untyped-def]
    client: Client, request: Request, posting: set[str], url: str | None = None
):
    """POST the recipe's body to a route that takes posts and has one, GET the others (and
    POST the empty form to a route that takes posts only, such as a download button)."""
    url = url or request.url
    takes_post = request.route.split("[")[0] in posting
    if takes_post and request.body:
        return client.post(url, request.body)
    response = client.get(url)
    if takes_post and response.status_code == 405:
        return client.post(url, request.body)
    return response


def _names(world: World) -> list[str]:
    """Case data that must never appear on a refused page."""
    out = []
    for case in (world.case, world.sibling, world.foreign):
        out += [case.reference, case.customer.name, case.customer.email]
    return [*out, world.member.username, world.member.get_full_name()]


def _leaks(world: World, content: bytes) -> list[str]:
    html = content.decode(errors="replace")
    return [n for n in _names(world) if n in html]


# ---------------------------------------------------------------- the desk


def _object_url(route: str, world: World, url: str) -> str:
    """The URL with its object (case reference or member id) swapped for one that never
    existed."""
    if "reference" in RECIPES[route].objects:
        return url.replace(world.case.reference, "AC-2099-999999")
    return url.replace(f"/{world.member.pk}/", "/999999/")


@pytest.mark.parametrize("route", DESK_CASE_ROUTES + MEMBER_ROUTES)
def test_staff_of_another_organisation_get_404_and_write_nothing(
    route: str, world: World, posting: set[str], snapshot: Callable[[], Snapshot]
) -> None:
    oscar, ada = signed_in("oscar"), signed_in("ada")
    for index in range(len(requests_for(route, world))):
        request = requests_for(route, world)[index]
        missing_url = _object_url(route, world, request.url)
        assert missing_url != request.url
        before = snapshot()
        refused = _send(oscar, request, posting)
        assert refused.status_code == 404, (request.route, refused.status_code)
        assert snapshot() == before, request.route
        # Exactly what a reference that never existed gets: nothing tells them it exists.
        never = _send(oscar, requests_for(route, world)[index], posting, missing_url)
        assert never.status_code == 404
        assert refused.content == never.content, request.route
        assert _leaks(world, refused.content) == [], request.route
        # Control: the same request by the case's own organisation is not a 404.
        control = _send(ada, requests_for(route, world)[index], posting)
        assert control.status_code != 404, request.route


ADMIN_ROUTES = [n for n in _KNOWN if n.startswith("desk_admin:")]


@pytest.mark.parametrize("route", ADMIN_ROUTES)
def test_only_admins_reach_the_admin_pages(
    route: str, world: World, posting: set[str], snapshot: Callable[[], Snapshot]
) -> None:
    agent = signed_in("alice")
    for request in requests_for(route, world):
        before = snapshot()
        assert _send(agent, request, posting).status_code == 403, request.route
        assert snapshot() == before, request.route
    assert _send(signed_in("ada"), requests_for(route, world)[0], posting).status_code < 403


@pytest.mark.parametrize("route", DESK_CASE_ROUTES)
def test_an_agent_cannot_reach_a_case_assigned_to_another_agent(
    route: str,
    world: World,
    agent: User,
    bob: User,
    posting: set[str],
    snapshot: Callable[[], Snapshot],
) -> None:
    """Agents see their own and unassigned cases (`cases.view_all_cases` sees all)."""
    case_assign(case=world.case, assignee=agent, actor=Actor.staff(world.admin), now=NOW)
    other = signed_in("bob")
    for request in requests_for(route, world):
        before = snapshot()
        response = _send(other, request, posting)
        assert response.status_code == 404, (request.route, response.status_code)
        assert snapshot() == before, request.route
    page = other.get("/").content.decode()
    assert world.case.reference not in page and world.sibling.reference in page
    assert signed_in("alice").get(f"/cases/{world.case.reference}/").status_code == 200


@pytest.mark.parametrize("route", [n for n in SEQ_ROUTES if n.startswith("desk:")])
def test_desk_letter_numbers_are_scoped_to_letters_of_the_case(
    route: str, world: World, posting: set[str], snapshot: Callable[[], Snapshot]
) -> None:
    ada = signed_in("ada")
    (request,) = requests_for(route, world)
    good = f"/{world.letter_seq}"
    assert good in request.url
    opened = CaseEvent.objects.get(case=world.case, seq=1)
    assert opened.kind != "letter_generated"
    for seq in (1, 10**6):  # the case's opening event; a number never used
        before = snapshot()
        response = _send(ada, request, posting, request.url.replace(good, f"/{seq}", 1))
        assert response.status_code == 404, (route, seq)
        assert snapshot() == before


def test_sequential_references_reveal_nothing_across_organisations(world: World) -> None:
    oscar = signed_in("oscar")
    bodies = set()
    for n in range(1, 8):
        response = oscar.get(f"/cases/AC-2026-{n:06d}/")
        assert response.status_code == 404
        bodies.add(response.content)
    assert len(bodies) == 1  # existing (000001, 000002) and unused numbers look alike
    assert oscar.get(f"/cases/{world.foreign.reference}/").status_code == 200
    assert signed_in("ada").get(f"/cases/{world.foreign.reference}/").status_code == 404
    # and the case list does not find them by reference (the rows, not the echoed search)
    page = oscar.get("/", {"q": world.case.reference}, HTTP_HX_REQUEST="true").content.decode()
    rows = page[page.index('<table class="cases"') :]  # the bulk form echoes the query too
    assert world.case.reference not in rows and "No cases match" in rows


# ---------------------------------------------------------------- the customer's link


def _altered(token: str) -> str:
    """The token with one character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _expired(world: World) -> str:
    return portal_token(world.case, now=timezone.now() - timedelta(days=400))


def _old_kind(claim: dict[str, object], **options: object) -> str:
    """A link of the old readable kind (signed JSON naming the case)."""
    return signing.dumps(claim, **options)  # type: ignore[arg-type]


def _bad_links(world: World) -> dict[str, tuple[str, str, int]]:
    """(organisation slug, token, expected status) of each link that must open nothing."""
    a, b = world.case, world.sibling
    good = world.token()
    acme, globex = world.org.slug, world.other_org.slug
    return {
        "one character altered": (acme, _altered(good), 404),
        "an old-kind link naming case B, forged": (
            acme,
            _old_kind(
                {"o": a.organisation_id, "c": b.pk, "r": b.reference},
                salt=LEGACY_SALT,
                key="not-the-secret-key",
            ),
            404,
        ),
        "an old-kind link signed for another purpose": (
            acme,
            _old_kind({"o": a.organisation_id, "c": a.pk, "r": a.reference}),
            404,
        ),
        "a genuine old-kind link (asks for a new one)": (
            acme,
            _old_kind({"o": a.organisation_id, "c": a.pk, "r": a.reference}, salt=LEGACY_SALT),
            410,
        ),
        "truncated": (acme, good[:-6], 404),
        "a reference typed in": (acme, a.reference, 404),
        "another organisation's link": (acme, world.token(world.foreign), 404),
        "A's link under another organisation": (globex, good, 404),
        "expired": (acme, _expired(world), 410),
    }


@pytest.mark.parametrize("route", LINK_ROUTES)
def test_every_link_route_refuses_bad_links(
    route: str,
    world: World,
    posting: set[str],
    snapshot: Callable[[], Snapshot],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    good = world.token()
    for request in requests_for(route, world):
        for problem, (slug, token, status) in _bad_links(world).items():
            url = request.url.replace(good, token).replace(
                f"/complain/{world.org.slug}/", f"/complain/{slug}/"
            )
            before = snapshot()
            response = _send(Client(), requests_for(route, world)[0], posting, url)
            assert response.status_code == status, (route, problem, response.status_code)
            assert _leaks(world, response.content) == [], (route, problem)
            assert snapshot() == before, (route, problem)
        # Control: the genuine link works.
        control = _send(Client(), requests_for(route, world)[0], posting)
        assert control.status_code in (200, 302), route


def test_a_link_reaches_only_its_own_customers_files_by_number(world: World) -> None:
    client, good = Client(), world.token()
    ids = list(Evidence.objects.values_list("pk", flat=True))
    reachable = {
        pk
        for pk in range(1, max(ids) + 4)
        if client.get(
            reverse("portal:evidence_download", kwargs={"org": "acme", "token": good, "pk": pk})
        ).status_code
        == 200
    }
    # not the sibling case's file, not the staff's internal file on the same case
    assert reachable == {world.customer_evidence.pk}
    assert {world.sibling_evidence.pk, world.staff_evidence.pk}.isdisjoint(reachable)


def test_a_link_reaches_only_its_own_cases_sent_letters_by_number(world: World) -> None:
    client, good = Client(), world.token()
    last = CaseEvent.objects.filter(case=world.case).order_by("-seq").first()
    assert last is not None
    reachable = set()
    for seq in range(last.seq + 4):
        url = reverse("portal:letter_pdf", kwargs={"org": "acme", "token": good, "seq": seq})
        response = client.get(url)
        assert response.status_code in (200, 404), (seq, response.status_code)
        if response.status_code == 200:
            reachable.add(seq)
            assert world.case.reference in response["Content-Disposition"]
    assert reachable == {world.letter_seq}
    # Letter numbers count per case: B's sent letter has the very number of A's, and A's
    # link with that number gives A's letter, never B's.
    assert world.sibling_letter_seq == world.letter_seq


def test_the_customers_own_letter_does_not_list_internal_staff_evidence(world: World) -> None:
    url = reverse("portal:escalate", kwargs={"org": "acme", "token": world.token()})
    response = Client().post(url, {"grounds": "unhappy", "explanation": "Nobody calls back."})
    assert response.status_code == 200, response.content.decode()[:500]
    kept = case_letters(case=world.case)[-1]
    assert (kept.payload.letter, kept.event.actor_kind) == ("escalation", "customer")
    for fmt in ("md", "html"):
        text = case_letter_file(case=world.case, seq=kept.event.seq, fmt=fmt).decode()
        assert world.customer_evidence.filename in text  # their own file is listed
        assert world.staff_evidence.filename not in text, fmt
