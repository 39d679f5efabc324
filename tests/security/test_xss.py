"""Hostile text in every free-text field a person can fill, through the real forms: the
complaint form, the customer's case page and escalation, and every form of the desk's case
page and letters panel. Then every page that shows the text is parsed: no script, event
handler or javascript: URL came from it, and each value reads back exactly as typed (so
markup stayed text and template syntax was not evaluated: "{{ 7*7 }}" never became 49).

Each value is the payload followed by a marker unique to its field ("zq07qz"). Wherever a
marker shows up, in text or in an attribute value, the payload must sit right before it
in the same string; a payload that became markup is split from its marker by a tag."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from plaint.cases.models import Case, Evidence
from plaint.domain.contactpoints import LETTER_FIELDS
from plaint.letters.selectors import case_letters
from plaint.triage.services import triage_run
from tests.conftest import NOW, open_case
from tests.portal.helpers import complaint, portal_token
from tests.security.conftest import signed_in
from tests.security.markup import Page, active_content

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute-breakout": '"><img src=x onerror=alert(1)>',
    "template-expression": "{{ 7*7 }}",
    "template-tag": "{% debug %}",
    "javascript-url": "javascript:alert(1)",
}
#: Appended to the narrative so that triage raises legal-risk flags: the narrative is then
#: shown through the desk's own highlighting filter, and the legal-clear form is offered.
FLAG_PHRASE = " I will take you to court and report you to the Financial Conduct Authority."
WHEN = "2026-03-01T12:00"
EMAIL = "hostile@example.org"

#: Fields kept but shown on no page. Every field is typed for someone to read, so these are
#: a bug of their own (see test_notes_typed_on_the_desk_are_shown); they are still checked
#: for inertness wherever they do appear.
NOT_SHOWN = {"milestone note", "legal clear note"}


@dataclass
class Hostile:
    payload: str
    values: dict[str, str] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)

    def __call__(self, name: str) -> str:
        """The value typed into field `name`."""
        if name not in self.values:
            self.markers[name] = f"zq{len(self.values) + 1:02d}qz"
            self.values[name] = self.payload + self.markers[name]
        return self.values[name]

    def filename(self, name: str) -> str:
        return self(name) + ".txt"

    def keep(self, name: str, response) -> str:  # type: ignore[no-untyped-def]
        html = response.content.decode()
        self.pages[name] = html
        return html


def _ok(response, what: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (200, 302), (
        what,
        response.status_code,
        _errors(response.content.decode()),
    )


def _errors(html: str) -> list[str]:
    return re.findall(r'class="(?:error|field-error)[^"]*"[^>]*>(.*?)</', html, re.S)[:10]


def _fill(html: str, action: Callable[[str], bool], value: Callable[[str], str]) -> dict[str, str]:
    """Values for the fields of the form(s) whose action matches, as a person would fill
    them in: text gets a hostile value, a choice its first option, a date a date; hidden
    fields keep theirs. The forms are read from the page, so a form that changes shape is
    still filled in."""
    page = Page(html)
    data: dict[str, str] = {}
    for element in page.all("input", "textarea", "select"):
        name = element.get("name") or ""
        form = element.inside("form")
        if not name or form is None or not action(form.get("action") or ""):
            continue
        kind = element.get("type") or ""
        if element.tag == "select":
            options = [o for o in page.all("option") if element in o.parents]
            data[name] = next(o.get("value") or o.text for o in options if o.get("value"))
        elif kind == "date":
            data[name] = "2026-02-14"
        elif kind == "datetime-local":
            data[name] = WHEN
        elif kind == "hidden":
            data[name] = element.get("value") or ""
        elif kind in ("radio", "checkbox", "submit", "file"):
            continue
        else:
            data[name] = value(name)
    return data


def _build(payload: str) -> Hostile:
    v = Hostile(payload)
    anyone = Client()

    # ---- the customer files a complaint, with a hostile file name
    text_fields = (
        "best_times",
        "product",
        "order_number",
        "account_number",
        "desired_resolution",
    )
    data = complaint(
        **{f: v(f"complaint {f}") for f in text_fields},
        email=EMAIL,
        description=v("complaint description") + FLAG_PHRASE,
        evidence=[_file(v.filename("complaint file name"))],
    )
    # Names, phones and addresses refuse markup and template syntax (contact points); the
    # form that refuses them shows them back, inert.
    contact_points = {f: v(f"complaint {f}") for f in ("name", "phone", "address")}
    # ... first with a bad e-mail address: the form comes back with every value in it
    v.keep(
        "complaint form, refused",
        anyone.post("/complain/acme/", {**data, **contact_points, "email": "x"}),
    )
    data["evidence"] = [_file(v.filename("complaint file name"))]
    filed = anyone.post("/complain/acme/", data)
    _ok(filed, "complaint")
    v.keep("complaint received", anyone.get(filed["Location"]))
    case = Case.objects.get(customer__email=EMAIL)
    link = reverse("portal:case", kwargs={"org": "acme", "token": portal_token(case)})

    # ---- the customer adds information and a file
    _ok(anyone.post(link + "information/", {"text": v("portal information")}), "information")
    _ok(
        anyone.post(link + "evidence/", {"evidence": [_file(v.filename("portal file name"))]}),
        "portal evidence",
    )

    # ---- staff work the case through every form of the case page
    ada = signed_in("ada")
    act = f"/cases/{case.reference}/actions/"
    contact = {
        "contact_at": WHEN,
        "channel": "phone",
        "direction": "inbound",
        "representative": v("contact representative"),
        "ticket_number": v("contact ticket number"),
        "summary": v("contact summary"),
    }
    v.keep(
        "desk contact, refused",
        ada.post(act + "contact/", {**contact, "contact_at": "2999-01-01T10:00"}),
    )
    # The representative is a name (a contact point): shown back on the refusal only.
    _ok(ada.post(act + "contact/", {**contact, "representative": "Sam Lee"}), "contact")
    _ok(ada.post(act + "note/", {"text": v("internal note"), "visibility": "internal"}), "note")
    _ok(ada.post(act + "note/", {"text": v("customer note"), "visibility": "customer"}), "note")
    _ok(
        ada.post(
            act + "evidence/",
            {"file": _file(v.filename("desk file name")), "description": v("evidence description")},
        ),
        "evidence",
    )
    _ok(ada.post(act + "legal_clear/", {"note": v("legal clear note")}), "legal clear")
    _ok(
        ada.post(
            act + "milestone/",
            {"milestone": "goods_delivered", "at": WHEN, "note": v("milestone note")},
        ),
        "milestone",
    )

    # a letter, asking for what the case lacks, then marked as sent
    letters = f"/cases/{case.reference}/letters/"
    letter = {"kind": "cease-and-desist", "page_size": "A4"}
    for _ in range(3):
        response = ada.post(letters, letter)
        if response.status_code == 302:
            break
        html = v.keep("desk letter, fields asked", response)
        extra = _fill(html, lambda a: a == letters, lambda name: letter_value(v, name, "f-"))
        extra = {k: x for k, x in extra.items() if k.startswith("f-")}
        assert set(extra) - set(letter), _errors(html)
        letter.update(extra)
    _ok(response, "letter")
    seq = case_letters(case=case)[-1].event.seq
    sent = f"{letters}{seq}/sent/"
    page = ada.get(f"/cases/{case.reference}/").content.decode()
    for _ in range(3):  # a refused form comes back as the view builds it: fill that one
        sent_form = _fill(page, lambda a: a == sent, lambda name: v("letter tracking number"))
        assert any(k.startswith("track") for k in sent_form), sent_form
        response = ada.post(sent, sent_form)
        if response.status_code == 302:
            break
        page = v.keep("desk letter sent, refused", response)
    _ok(response, "sent")
    _ok(
        ada.post(act + "transition/", {"to": "acknowledged", "reason": v("status reason")}),
        "transition",
    )

    # ---- the customer escalates, with a refused attempt first
    v.keep(
        "portal escalate, refused",
        anyone.post(
            link + "escalate/", {"grounds": "deadline", "explanation": v("escalation explanation")}
        ),
    )
    v.keep("portal escalate", anyone.get(link + "escalate/"))
    escalation = {"grounds": "unhappy", "explanation": v("escalation explanation")}
    for _ in range(3):
        response = anyone.post(link + "escalate/", escalation)
        if response.status_code == 200:
            break
        html = v.keep("portal escalate, fields asked", response)
        extra = _fill(html, lambda a: a == "", lambda name: letter_value(v, name, ""))
        extra = {k: x for k, x in extra.items() if k != "csrfmiddlewaretoken"}
        assert set(extra) - set(escalation), _errors(html)
        escalation.update(extra)
    assert "escalated" in v.keep("portal escalated", response)

    def offer_and_answer(answer: str) -> None:
        offer = {"redress": "apology", "description": v("offer description")}
        _ok(ada.post(act + "offer/", offer), "offer")
        reply = {
            "offer": _pending_offer(ada, case),
            "answer": answer,
            "comment": v("answer comment"),
        }
        _ok(ada.post(act + "answer/", reply), "answer")

    # ---- back to the desk: offers, answers and closing, with a refused close first
    _ok(
        ada.post(act + "transition/", {"to": "investigating", "reason": v("status reason")}),
        "transition",
    )
    offer_and_answer("reject")
    close = {
        "outcome": "upheld",
        "root_cause_code": "systems",
        "root_cause": v("close root cause"),
        "summary": v("close summary"),
    }
    v.keep("desk close, refused", ada.post(act + "close/", close))
    offer_and_answer("accept")
    _ok(ada.post(act + "close/", close), "close")

    # ---- every page that shows what was typed
    v.keep("desk case page", ada.get(f"/cases/{case.reference}/"))
    v.keep("desk case list", ada.get("/"))
    v.keep("desk case list, searched", ada.get("/", {"q": v("case list search")}))
    v.keep(
        "desk case rows, searched",
        ada.get("/", {"q": v("case list search")}, HTTP_HX_REQUEST="true"),
    )
    for kept in case_letters(case=case):
        preview = ada.get(f"/cases/{case.reference}/letters/{kept.event.seq}/preview/")
        v.keep(f"desk letter preview #{kept.event.seq}", preview)
    v.keep("portal case page", anyone.get(link))
    return v


def letter_value(v: Hostile, name: str, prefix: str) -> str:
    """A letter field's value: hostile, except for contact points (names, phones, e-mail,
    addresses), which refuse markup and template syntax and get an ordinary value."""
    key = name.removeprefix(prefix)
    if key in LETTER_FIELDS:
        kind = LETTER_FIELDS[key]
        return {"phone": "020 7946 0001", "email": "desk@example.org"}.get(kind, "Sam Lee")
    field_kind = "letter field" if prefix else "escalation field"
    return v(f"{field_kind} {name}")


def _file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"a plain text file\n", "text/plain")


def _pending_offer(client: Client, case: Case) -> str:
    page = Page(client.get(f"/cases/{case.reference}/").content.decode())
    select = next(e for e in page.all("select") if e.get("name") == "offer")
    return next(o.get("value") or "" for o in page.all("option") if select in o.parents)


def _stored_names(v: Hostile) -> None:
    """What the file name fields were kept as (uploads lose any path before a slash)."""
    for name in [n for n in v.values if n.endswith("file name")]:
        marker = v.markers[name]
        stored = Evidence.objects.filter(filename__contains=marker).values_list(
            "filename", flat=True
        )
        kept = {s[: s.index(marker)] for s in stored}
        assert len(kept) == 1, (name, kept)
        v.values[name] = kept.pop() + marker


@pytest.fixture(params=list(PAYLOADS), ids=list(PAYLOADS))
def hostile(request, world) -> Hostile:  # type: ignore[no-untyped-def]
    # `world` brings the organisation and its admin; its own cases stay out of the way.
    v = _build(PAYLOADS[request.param])
    _stored_names(v)
    return v


def inertness(hostile: Hostile) -> tuple[list[str], dict[str, set[str]]]:
    """The problems found on the pages, and on which pages each field was seen."""
    seen: dict[str, set[str]] = {name: set() for name in hostile.values}
    problems: list[str] = []
    for page_name, html in hostile.pages.items():
        page = Page(html)
        problems += [f"{page_name}: {p}" for p in active_content(page)]
        strings = page.strings()
        for name, value in hostile.values.items():
            marker = hostile.markers[name]
            for string in strings:
                start = 0
                while (at := string.find(marker, start)) >= 0:
                    start = at + 1
                    seen[name].add(page_name)
                    before = string[: at + len(marker)]
                    # a query string carried in a form (the bulk form's `query`) is
                    # URL-encoded: inert text, which reads back once decoded
                    if not before.endswith(value) and not unquote_plus(before).endswith(value):
                        shown = string[max(0, at - 60) : at + len(marker)]
                        problems.append(f"{page_name}: {name} reads back as {shown!r}")
        # The payload as markup, had it been written out raw anywhere.
        for raw in ("<script>alert(1)", "<img src=x onerror", "onerror=alert(1)>zq"):
            if raw in html:
                problems.append(f"{page_name}: raw {raw!r} in the markup")
    return problems, seen


def test_hostile_text_is_inert_on_every_page(hostile: Hostile) -> None:
    problems, seen = inertness(hostile)
    assert problems == []
    unseen = {name for name, pages in seen.items() if not pages} - NOT_SHOWN
    assert unseen == set(), "fields shown on no page (the sweep did not reach them)"
    # The sweep reached the pages it is meant to check, and the fields filled in.
    assert len(hostile.values) >= 25, sorted(hostile.values)
    for page_name in (
        "desk case page",
        "desk case list",
        "portal case page",
        "complaint form, refused",
        "desk close, refused",
        "portal escalated",
    ):
        assert page_name in hostile.pages
    assert any(p.startswith("desk letter preview") for p in hostile.pages)


@pytest.mark.parametrize(
    ("payload", "shown"),
    [
        ("<script>alert(1)</script>", "<p><script>alert(1)</script>zq01qz</p>"),
        ('"><img src=x onerror=alert(1)>', '<input value=""><img src=x onerror=alert(1)>zq01qz">'),
        ("{{ 7*7 }}", "<p>49zq01qz</p>"),
        ("{% debug %}", "<p>{'csrf_token': 'x'}zq01qz</p>"),
        ("javascript:alert(1)", '<a href="javascript:alert(1)zq01qz">link</a>'),
        ("<b>", "<p><b>zq01qz</b></p>"),
    ],
)
def test_the_check_catches_what_it_looks_for(payload: str, shown: str) -> None:
    """The check itself can fail: a page showing the payload as markup (or evaluated) is
    reported, the same page with it escaped is not."""
    hostile = Hostile(payload)
    hostile("a field")
    hostile.pages["bad"] = f"<!doctype html><html lang=en><body>{shown}</body></html>"
    assert inertness(hostile)[0] != []
    hostile.pages = {"good": f"<p>{escape(hostile.values['a field'])}</p>"}
    assert inertness(hostile) == ([], {"a field": {"good"}})


def test_notes_typed_on_the_desk_are_shown(world) -> None:  # type: ignore[no-untyped-def]
    case = open_case(world.org, world.admin, description="I will take you to court." + FLAG_PHRASE)
    assert triage_run(case=case, now=NOW).legal_review == "pending"
    ada = signed_in("ada")
    act = f"/cases/{case.reference}/actions/"
    milestone = {"milestone": "goods_delivered", "at": WHEN, "note": "Parcel left at the door"}
    assert ada.post(act + "milestone/", milestone).status_code == 302
    assert ada.post(act + "legal_clear/", {"note": "Venting, not a threat"}).status_code == 302
    texts = " ".join(
        t for t, _ in Page(ada.get(f"/cases/{case.reference}/").content.decode()).texts
    )
    missing = [n for n in ("Parcel left at the door", "Venting, not a threat") if n not in texts]
    assert missing == []
