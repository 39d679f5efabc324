"""The desk's erasure confirmation page: it shows what would go, or why nothing may, and
erases only once the case's reference is typed by a supervisor or admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Customer
from plaint.domain.events import EventKind
from plaint.domain.lifecycle import CaseStatus
from plaint.records.retention import legal_hold_place
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
NAME = "Ottoline Brackenbury-Vasquez"
AFTER = datetime(2029, 3, 2, 9, 0, tzinfo=UTC)  # past the 3 years of DISP 1.9.1R
BEFORE = datetime(2028, 12, 1, 9, 0, tzinfo=UTC)


def _closed(org, agent) -> Case:  # type: ignore[no-untyped-def]
    case = open_case(org, agent, description=f"{NAME} was charged twice.")
    actor = Actor.staff(agent)
    at = NOW + timedelta(days=10)
    services.case_transition(case=case, to=CaseStatus.RESOLVED, actor=actor, now=at, reason="ok")
    services.case_close(
        case=case, outcome="upheld", root_cause_code="staff_error", root_cause="billing",
        actor=actor, now=at,
    )  # fmt: skip
    return Case.objects.get(pk=case.pk)


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_what_goes_and_erases_only_with_the_reference(org, agent, supervisor):
    case = _closed(org, agent)
    url = reverse("records:case_erase", args=[case.reference])
    with time_machine.travel(AFTER, tick=False):
        client = _client(supervisor)  # signed in on the day: sessions do not last years
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "DISP" in text and "cannot be undone" in text
        assert "personal value" in text and "The customer's name" in text
        # a wrong or missing reference erases nothing
        wrong = client.post(url, {"confirm_reference": case.reference + "X"})
        assert wrong.status_code == 400
        assert "type the case&#x27;s reference" in wrong.content.decode()
        assert not CaseEvent.objects.filter(case=case, kind=EventKind.CASE_ERASED.value).exists()
        assert (
            Customer.objects.get(pk=case.customer_id).name != f"Erased customer #{case.customer_id}"
        )
        done = client.post(url, {"confirm_reference": case.reference})
        assert done.status_code == 302
        erased = CaseEvent.objects.get(case=case, kind=EventKind.CASE_ERASED.value)
        assert erased.actor_id == supervisor.pk
        case.refresh_from_db()
        assert NAME not in case.description
        customer = Customer.objects.get(pk=case.customer_id)
        assert customer.name == f"Erased customer #{case.customer_id}"
        again = client.get(url)
    assert "already been erased" in again.content.decode()
    assert "<form" not in again.content.decode().split("<main", 1)[1].split("</main>")[0]


def test_before_retention_ends_or_on_hold_the_page_says_why_and_refuses(org, agent, supervisor):
    case = _closed(org, agent)
    url = reverse("records:case_erase", args=[case.reference])
    with time_machine.travel(BEFORE, tick=False):
        client = _client(supervisor)
        page = client.get(url)
        assert "may not be erased now" in page.content.decode()
        assert "cannot be erased before then" in page.content.decode()
        refused = client.post(url, {"confirm_reference": case.reference})
    assert refused.status_code == 400
    legal_hold_place(case=case, reason="litigation", actor=Actor.staff(supervisor), now=AFTER)
    with time_machine.travel(AFTER, tick=False):
        client = _client(supervisor)
        held = client.post(url, {"confirm_reference": case.reference})
    assert held.status_code == 400 and "legal hold" in held.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.CASE_ERASED.value).exists()


def test_agents_cannot_open_it_and_the_case_page_links_it_for_supervisors(org, agent, supervisor):
    case = _closed(org, agent)
    url = reverse("records:case_erase", args=[case.reference])
    assert _client(agent).get(url).status_code == 403
    assert _client(agent).post(url, {"confirm_reference": case.reference}).status_code == 403
    detail = reverse("desk:case_detail", args=[case.reference])
    assert url not in _client(agent).get(detail).content.decode()
    assert url in _client(supervisor).get(detail).content.decode()


def test_another_organisations_case_is_not_found(org, agent, outsider):
    case = _closed(org, agent)
    url = reverse("records:case_erase", args=[case.reference])
    assert _client(outsider).get(url).status_code in (403, 404)


def test_the_retention_page_lists_what_may_be_erased_and_what_a_hold_keeps(org, agent, supervisor):
    first, second = _closed(org, agent), _closed(org, agent)
    legal_hold_place(case=second, reason="claim", actor=Actor.staff(supervisor), now=NOW)
    url = reverse("records:retention")
    with time_machine.travel(BEFORE, tick=False):
        client = _client(supervisor)
        assert "No case is past its retention period" in client.get(url).content.decode()
    with time_machine.travel(AFTER, tick=False):
        client = _client(supervisor)
        page = client.get(url).content.decode()
        assert "1 may be erased, 1 more is kept by a legal hold" in page
        assert reverse("records:case_erase", args=[first.reference]) in page
        assert reverse("records:case_erase", args=[second.reference]) not in page
        assert (
            "On legal hold" in page
            and url in client.get(reverse("desk:case_list")).content.decode()
        )
        client.post(
            reverse("records:case_erase", args=[first.reference]),
            {"confirm_reference": first.reference},
        )
        after = client.get(url).content.decode()
        assert reverse("desk:case_detail", args=[first.reference]) not in after
        assert reverse("desk:case_detail", args=[second.reference]) in after
        assert _client(agent).get(url).status_code == 403
