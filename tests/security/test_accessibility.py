"""Accessibility basics of the main pages, checked on the HTML without a browser: a
language, a title, one h1, a name for every control, button and frame, alt text on
images, unique ids, references (for=, aria-describedby, #anchors) that resolve, and form
errors tied to their fields after a failed submit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from plaint.cases.ledger import Actor
from plaint.cases.services import case_transition
from plaint.letters.services import letter_generate
from plaint.triage.services import triage_run
from tests.conftest import NOW, open_case
from tests.portal.helpers import complaint
from tests.security.conftest import World, signed_in
from tests.security.markup import Element, Page

pytestmark = pytest.mark.django_db

NOT_NAMED = {"hidden", "submit", "button", "image", "reset"}


def _flagged_case(world: World):  # type: ignore[no-untyped-def]
    """A case that shows the most forms: triage with legal flags pending, an open status."""
    case = open_case(
        world.org,
        world.admin,
        description="Charged twice. I will take you to court and report you to the regulator.",
    )
    triage_run(case=case, now=NOW)
    case_transition(case=case, to="acknowledged", actor=Actor.staff(world.admin), now=NOW)
    # a letter not sent yet: its "mark as sent" form is on the page
    letter_generate(
        case=case,
        kind="acknowledgement",
        actor=Actor.staff(world.admin),
        now=NOW,
        formats=("md", "html"),
    )
    return case


def _letter_fields_asked(world: World) -> str:
    """The case page as it comes back when a letter needs fields the case lacks."""
    url = f"/cases/{world.case.reference}/letters/"
    response = signed_in("ada").post(url, {"kind": "cease-and-desist", "page_size": "A4"})
    assert response.status_code == 400
    return response.content.decode()


def _filed_received(world: World) -> str:
    client = Client()
    response = client.post("/complain/acme/", complaint(email="new@example.org"))
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


PAGES: dict[str, Callable[[World], str]] = {
    "desk sign-in": lambda w: Client().get("/login/").content.decode(),
    "desk sign-in, refused": lambda w: (
        Client().post("/login/", {"username": "ada", "password": "wrong"}).content.decode()
    ),
    "desk case list": lambda w: signed_in("ada").get("/").content.decode(),
    "desk case page (admin)": lambda w: (
        signed_in("ada").get(f"/cases/{_flagged_case(w).reference}/").content.decode()
    ),
    "desk case page (agent)": lambda w: (
        signed_in("alice").get(f"/cases/{w.sibling.reference}/").content.decode()
    ),
    "desk case page, letter fields asked": _letter_fields_asked,
    "portal complaint form": lambda w: Client().get("/complain/acme/").content.decode(),
    "portal received": _filed_received,
    "portal case page": lambda w: (
        Client()
        .get(reverse("portal:case", kwargs={"org": "acme", "token": w.token()}))
        .content.decode()
    ),
    "portal escalate": lambda w: (
        Client()
        .get(reverse("portal:escalate", kwargs={"org": "acme", "token": w.token()}))
        .content.decode()
    ),
    "portal bad link": lambda w: Client().get("/complain/acme/case/nope/").content.decode(),
}


def _accessible_name(page: Page, control: Element, ids: dict[str, Element]) -> str:
    if control.get("aria-label", "").strip():
        return control.attrs["aria-label"]
    if control.get("aria-labelledby"):
        return " ".join(ids[i].text for i in control.attrs["aria-labelledby"].split() if i in ids)
    if control.get("id"):
        for label in page.all("label"):
            if label.get("for") == control.attrs["id"] and label.text:
                return label.text
    wrapping = control.inside("label")
    if wrapping is not None:
        return wrapping.text
    if control.tag == "button":
        return control.text
    return control.get("title", "")


def problems_of(html: str) -> list[str]:
    page = Page(html)
    ids = page.by_id()
    out: list[str] = []
    (root,) = page.all("html") or [None]
    if root is None or not (root.get("lang") or "").strip():
        out.append("<html> has no lang")
    titles = page.all("title")
    if len(titles) != 1 or not titles[0].text:
        out.append(f"title: {[t.text for t in titles]}")
    h1s = page.all("h1")
    if len(h1s) != 1 or not h1s[0].text:
        out.append(f"{len(h1s)} h1: {[h.text for h in h1s]}")
    for img in page.all("img"):
        if "alt" not in img.attrs:
            out.append(f"img without alt: {img!r}")
    for frame in page.all("iframe"):
        if not frame.get("title", "").strip():
            out.append(f"iframe without title: {frame!r}")
    seen: dict[str, int] = {}
    for element in page.elements:
        if element.get("id"):
            seen[element.attrs["id"]] = seen.get(element.attrs["id"], 0) + 1
    out += [f"id {i!r} used {n} times" for i, n in seen.items() if n > 1]
    for control in page.all("input", "select", "textarea"):
        if control.tag == "input" and (control.get("type") or "text").lower() in NOT_NAMED:
            continue
        if not _accessible_name(page, control, ids).strip():
            out.append(f"control without a name: {control!r}")
    for button in page.all("button"):
        if not _accessible_name(page, button, ids).strip():
            out.append(f"button without a name: {button!r}")
    for element in page.elements:
        for attribute in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in (element.get(attribute) or "").split():
                if ref not in ids:
                    out.append(f"{attribute}={ref!r} names no element: {element!r}")
    for label in page.all("label"):
        target = label.get("for")
        if target and target not in ids:
            out.append(f"label for={target!r} names no element")
    for link in page.all("a"):
        href = link.get("href") or ""
        if href.startswith("#") and len(href) > 1 and href[1:] not in ids:
            out.append(f"link to missing #{href[1:]}")
        if "href" in link.attrs and not _accessible_name(page, link, ids).strip() and not link.text:
            out.append(f"link without text: {link!r}")
    return out


DANGLING = "names no element"


@pytest.mark.parametrize("name", list(PAGES))
def test_main_pages_meet_the_basics(name: str, world: World) -> None:
    html = PAGES[name](world)
    assert [p for p in problems_of(html) if DANGLING not in p] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_aria_and_label_references_resolve(name: str, world: World) -> None:
    html = PAGES[name](world)
    assert [p for p in problems_of(html) if DANGLING in p] == []


def test_the_check_can_fail() -> None:
    bad = (
        "<html><head></head><body><h1>a</h1><h1>b</h1><img src=x>"
        '<input name=q id=q><input id=q name=r aria-describedby="nope"><button></button>'
        '<label for="gone">x</label><a href="#missing">go</a></body></html>'
    )
    found = " | ".join(problems_of(bad))
    for expected in (
        "lang",
        "title",
        "2 h1",
        "alt",
        "used 2 times",
        "without a name",
        "names no element",
        "missing #missing",
        "button without",
    ):
        assert expected in found, expected


def _error_ties(html: str, errors: dict[str, str]) -> list[str]:
    """For each field name → error message: the message must be read with the field, by
    aria-describedby or from inside its label, and the field marked invalid."""
    page = Page(html)
    ids = page.by_id()
    out = []
    for name, message in errors.items():
        (control,) = [c for c in page.all("input", "select", "textarea") if c.get("name") == name]
        described = " ".join(
            ids[i].text for i in (control.get("aria-describedby") or "").split() if i in ids
        )
        labelled = _accessible_name(page, control, ids)
        if message not in described and message not in labelled:
            out.append(f"{name}: {message!r} is not tied to the field")
        if control.get("aria-invalid") != "true":
            out.append(f"{name}: not marked aria-invalid")
    return out


def test_complaint_form_errors_are_tied_to_their_fields(world: World) -> None:
    response = Client().post(
        "/complain/acme/", complaint(name="", email="not-an-address", description="", amount="x")
    )
    assert response.status_code == 400
    html = response.content.decode()
    errors = {
        "name": "Please tell us your full name.",
        "email": "That does not look like an e-mail address",
        "description": "Please tell us what went wrong.",
        "amount": "Please correct the amount: it is not an amount of money",
    }
    assert _error_ties(html, errors) == []
    assert problems_of(html) == []
    # The summary at the top links to each field.
    page = Page(html)
    summary = page.by_id()["form-errors"]
    assert summary.get("role") == "alert"
    assert {"#id_name", "#id_email", "#id_description", "#id_amount"} <= {
        a.get("href") for a in page.all("a") if summary in a.parents
    }


def test_desk_form_errors_are_tied_to_their_fields(world: World) -> None:
    url = f"/cases/{world.case.reference}/actions/contact/"
    data = {
        "contact_at": "not a time",
        "channel": "phone",
        "direction": "inbound",
        "wait_minutes": "-3",
    }
    response = signed_in("ada").post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    errors = {
        "contact_at": "Enter a valid date/time.",
        "wait_minutes": "Ensure this value is greater than or equal to 0.",
    }
    assert _error_ties(html, errors) == []
    assert problems_of(html) == []
