"""The case page: adding information and evidence, CSRF on every form, customer text
rendered inert."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import case_note_add
from plaint.domain.vocabulary import Visibility
from tests.conftest import NOW, open_case
from tests.portal.helpers import complaint, pdf_file

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]
XSS = '<script>alert("x")</script>{{ 7*7 }}{% debug %}<img src=x onerror=alert(1)>'


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def test_add_information_is_customer_visible(client: Client, case: Case, case_url: CaseUrl) -> None:
    """The older address of the form records a reply, as the new one does."""
    response = client.post(case_url(case, "information/"), {"text": "My bank statement shows it."})
    assert response.status_code == 302
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.kind, event.visibility, event.actor_kind) == (
        "contact_logged",
        "customer",
        "customer",
    )
    assert event.actor_label == "Dana Whitfield"
    assert "My bank statement shows it." in client.get(case_url(case)).content.decode()


def test_empty_information_is_refused(client: Client, case: Case, case_url: CaseUrl) -> None:
    response = client.post(case_url(case, "information/"), {"text": "  "})
    assert response.status_code == 400
    assert "Please tell us your message." in response.content.decode()


def test_internal_notes_stay_internal(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    case_note_add(case=case, text="Customer sounds litigious", actor=Actor.staff(agent), now=NOW)
    case_note_add(
        case=case,
        text="We are looking into it",
        actor=Actor.staff(agent),
        now=NOW,
        visibility=Visibility.CUSTOMER,
    )
    html = client.get(case_url(case)).content.decode()
    assert "litigious" not in html
    assert "We are looking into it" in html


def test_add_evidence(client: Client, case: Case, case_url: CaseUrl) -> None:
    response = client.post(case_url(case, "evidence/"), {"evidence": [pdf_file("receipt.pdf")]})
    assert response.status_code == 302
    assert case.evidence.get().filename == "receipt.pdf"
    assert "receipt.pdf" in client.get(case_url(case)).content.decode()


def test_bad_evidence_shows_the_stores_message(
    client: Client, case: Case, case_url: CaseUrl
) -> None:
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf at all", content_type="application/pdf")
    response = client.post(case_url(case, "evidence/"), {"evidence": [pdf_file(), fake]})
    assert response.status_code == 400
    assert "fake.pdf" in response.content.decode()
    assert not case.evidence.exists()  # all or nothing
    empty = client.post(case_url(case, "evidence/"), {})
    assert "Please choose at least one file." in empty.content.decode()


def test_csrf_on_every_post(org: Organisation, case: Case, case_url: CaseUrl) -> None:
    strict = Client(enforce_csrf_checks=True)
    posts = {
        "/complain/acme/": complaint(),
        case_url(case, "information/"): {"text": "hello"},
        case_url(case, "evidence/"): {"evidence": [pdf_file()]},
        case_url(case, "escalate/"): {"grounds": "unhappy"},
    }
    for url, data in posts.items():
        assert strict.post(url, data).status_code == 403, url
    assert CaseEvent.objects.filter(case=case).count() == 1
    assert Case.objects.count() == 1
    # With the token from the page, the same form goes through.
    page = strict.get("/complain/acme/")
    token = page.context["csrf_token"]
    ok = strict.post("/complain/acme/", {**complaint(), "csrfmiddlewaretoken": str(token)})
    assert ok.status_code == 302


def test_unsafe_methods_on_read_only_routes(client: Client, case: Case, case_url: CaseUrl) -> None:
    assert client.post(case_url(case)).status_code == 405
    assert client.get(case_url(case, "information/")).status_code == 405


def test_customer_text_renders_inert(
    client: Client, org: Organisation, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # Names, phones and addresses refuse markup outright (tests/portal/test_contact_points.py).
    fields = ("best_times", "product", "order_number", "account_number")
    data = complaint(**dict.fromkeys(fields, XSS[:90]), description=XSS, desired_resolution=XSS)
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post("/complain/acme/", data)
    assert filed.status_code == 302
    received = client.get(filed["Location"]).content.decode()
    link = received.split('class="link"><a href="')[1].split('"')[0]
    client.post(link + "information/", {"text": XSS})
    html = client.get(link).content.decode()
    for page in (received, html):
        assert "<script>alert" not in page
        assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;{{ 7*7 }}" in html
    assert "{% debug %}" in html
