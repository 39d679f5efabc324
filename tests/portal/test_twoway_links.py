"""Asking for a new link: it goes only to the address on the case; the page says the same
thing, and takes about as long, whether or not the pair matched; it is rate-limited. And
how long a link works: the longest business clock of the case's regime."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.cases.models import Case
from plaint.cases.services import CustomerDetails
from plaint.config.appsettings import APP
from plaint.domain.deadlines.regimes import regime_get
from plaint.domain.portal_links import link_lifetime_days
from plaint.portal import views
from plaint.portal.links import link_lifetime
from plaint.portal.models import PortalLink
from tests.conftest import _staff, open_case
from tests.messaging.conftest import Smtp
from tests.portal.helpers import Sent, outbox_delivered, portal_token

pytestmark = pytest.mark.django_db
URL = "/complain/acme/new-link/"
FLOOR = 0.3  # seconds: the least time a request takes, lowered for the tests


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "LINK_REQUEST_SECONDS", FLOOR)


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


Ask = Callable[[str, str], tuple[int, str, float]]
Sent_ = Callable[[], list[Sent]]


@pytest.fixture
def sent(smtp: Smtp) -> Callable[[], list[Sent]]:
    """Deliver the outbox and give every e-mail received so far."""
    return lambda: outbox_delivered(smtp)


@pytest.fixture
def ask(client: Client) -> Ask:
    """Post the form (any e-mail is queued in the outbox, see `sent`); give the status,
    the page and how long the answer took."""

    def post(reference: str, email: str) -> tuple[int, str, float]:
        started = time.monotonic()
        response = client.post(URL, {"reference": reference, "email": email})
        took = time.monotonic() - started
        return response.status_code, response.content.decode(), took

    return post


def test_the_page_asks_for_the_reference_and_address(client: Client, org: Organisation) -> None:
    html = client.get(URL).content.decode()
    assert "Ask for a new link to your complaint" in html
    assert 'name="reference"' in html and 'name="email"' in html


def test_a_matching_pair_gets_a_new_link_at_the_address_on_the_case(
    client: Client, ask: Ask, case: Case, sent: Sent_
) -> None:
    status, html, _ = ask(case.reference.lower(), "  DANA@Example.org ")
    assert status == 200
    assert "Check your e-mail" in html
    (message,) = sent()
    assert message.to == ["dana@example.org"]  # the case's address, not the one typed
    assert case.reference in message.subject
    link = re.search(r"https?://\S+/case/(\S+)/", message.body)
    assert link is not None
    token = link.group(1)
    assert case.reference not in token
    page = client.get(f"/complain/acme/case/{token}/")
    assert page.status_code == 200
    assert f"Your complaint {case.reference}" in page.content.decode()
    issued = PortalLink.objects.get(case=case, reason="requested")
    assert issued.expires_at - issued.issued_at == link_lifetime(case)


def test_the_answer_is_the_same_whether_or_not_the_pair_matched(
    ask: Ask, case: Case, sent: Sent_
) -> None:
    matched = ask(case.reference, "dana@example.org")
    wrong_address = ask(case.reference, "someone@example.org")
    unknown_reference = ask("AC-2026-999999", "dana@example.org")
    hostile = ask("<script>x</script>", "dana@example.org")
    answers = [matched, wrong_address, unknown_reference, hostile]
    assert {status for status, _, _ in answers} == {200}
    assert len({html for _, html, _ in answers}) == 1
    assert all(took >= FLOOR for _, _, took in answers)
    assert len(sent()) == 1


def test_a_case_without_an_address_gets_nothing(
    ask: Ask, org: Organisation, agent: User, sent: Sent_
) -> None:
    case = open_case(org, agent, customer=CustomerDetails(name="No Mail"))
    status, html, _ = ask(case.reference, "nomail@example.org")
    assert status == 200 and "Check your e-mail" in html
    assert sent() == []


def test_another_organisations_case_is_not_found_here(
    ask: Ask, org: Organisation, other_org: Organisation, sent: Sent_
) -> None:
    theirs = open_case(other_org, _staff(other_org, "zed", Role.AGENT, "Zed", "Z"))
    status, _, _ = ask(theirs.reference, "dana@example.org")
    assert status == 200
    assert sent() == []


def test_one_case_is_sent_at_most_three_new_links_an_hour(
    ask: Ask, case: Case, sent: Sent_
) -> None:
    for _ in range(4):
        status, html, _ = ask(case.reference, "dana@example.org")
        assert status == 200 and "Check your e-mail" in html
    assert len(sent()) == 3


def test_requests_are_rate_limited_per_connection(
    ask: Ask, case: Case, monkeypatch: pytest.MonkeyPatch, sent: Sent_
) -> None:
    monkeypatch.setattr(
        "plaint.portal.services.APP",
        replace(APP, portal_rate_limit=2, portal_rate_window_minutes=60),
    )
    assert ask("AC-2026-999998", "a@example.org")[0] == 200
    assert ask("AC-2026-999997", "a@example.org")[0] == 200
    status, html, _ = ask(case.reference, "dana@example.org")
    assert status == 429
    assert "Too many requests for a new link have been sent" in html
    assert sent() == []


def test_a_bad_address_is_refused_by_the_form(client: Client, case: Case, sent: Sent_) -> None:
    response = client.post(URL, {"reference": case.reference, "email": "not an address"})
    assert response.status_code == 400
    assert "That does not look like an e-mail address" in response.content.decode()
    response = client.post(URL, {"reference": "x\x00", "email": "dana@example.org"})
    assert response.status_code == 400
    assert sent() == []


def test_the_filing_link_works_as_long_as_the_longest_business_clock(case: Case) -> None:
    """An FCA DISP case: the final response is due within 8 weeks (56 days); the link
    works for those and a week more, longer than the 30-day floor."""
    assert link_lifetime(case) == timedelta(days=63)


def test_the_lifetime_comes_from_the_regime_and_the_floor() -> None:
    house, fca = regime_get("HOUSE"), regime_get("UK-FCA-DISP")
    params = {"sla_acknowledge_days": 2, "sla_response_days": 20}
    # 20 business days are at most 28 calendar days, and a week for holidays: 35, +7
    assert link_lifetime_days([house], floor_days=30, parameters=params) == 42
    assert link_lifetime_days([house, fca], floor_days=30, parameters=params) == 63
    assert link_lifetime_days([house, fca], floor_days=90, parameters=params) == 90
    assert link_lifetime_days([], floor_days=30) == 30
    cfpb = regime_get("US-CFPB")
    assert link_lifetime_days([cfpb], floor_days=1) >= 60


def test_an_expired_links_page_leads_to_the_request_form(client: Client, case: Case) -> None:
    token = portal_token(case, now=timezone.now() - timedelta(days=400))
    response = client.get(f"/complain/acme/case/{token}/")
    assert response.status_code == 410
    assert 'href="/complain/acme/new-link/"' in response.content.decode()
