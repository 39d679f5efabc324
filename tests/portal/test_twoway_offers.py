"""The customer answers an offer in the portal: one button to accept, a reason to reject,
recorded as the customer's own answer and moving the case as staff recording it does."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, ResolutionOffer
from plaint.cases.services import case_offer_answer, case_offer_record, case_transition
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.vocabulary import Visibility
from plaint.portal import services
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]


def _offer(case: Case, agent: User, **kw: object) -> ResolutionOffer:
    case_transition(case=case, to="investigating", actor=Actor.staff(agent), now=NOW)
    fields: dict[str, object] = {
        "redress": "refund",
        "amount": Decimal("84.20"),
        "currency": "GBP",
        "description": "A refund of the duplicate charge.",
    }
    fields.update(kw)
    return case_offer_record(case=case, actor=Actor.staff(agent), now=NOW, **fields)  # type: ignore[arg-type]


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def _answer_url(case_url: CaseUrl, case: Case, offer: ResolutionOffer) -> str:
    return case_url(case, f"offers/{offer.pk}/answer/")


def test_the_offer_shows_with_its_buttons(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    _offer(case, agent)
    html = client.get(case_url(case)).content.decode()
    assert "Refund of GBP 84.20" in html
    assert "A refund of the duplicate charge." in html
    assert "Accept this offer" in html and "Reject this offer" in html


def test_accepting_is_the_customers_answer_and_resolves_the_case(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    response = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#offer-{offer.pk}")
    case.refresh_from_db()
    offer.refresh_from_db()
    assert case.status == "resolved"
    assert offer.answer == "accepted"
    event = CaseEvent.objects.filter(case=case, kind="resolution_answered").get()
    assert (event.actor_kind, event.actor_label, event.visibility) == (
        "customer",
        "Dana Whitfield",
        "customer",
    )
    assert event.actor_id is None
    html = client.get(case_url(case)).content.decode()
    assert "You accepted this offer" in html
    assert "Accept this offer" not in html


def test_the_case_moves_as_when_staff_record_the_answer(org: Organisation, agent: User) -> None:
    """The same status, the same event payload and the same deadline work, whoever
    records the answer; only the actor differs."""
    by_portal, by_desk = open_case(org, agent), open_case(org, agent)
    offer_portal, offer_desk = _offer(by_portal, agent), _offer(by_desk, agent)
    services.offer_answer(
        case=by_portal, offer_id=offer_portal.pk, accepted=True, reason="", now=NOW
    )
    case_offer_answer(offer=offer_desk, accepted=True, actor=Actor.staff(agent), now=NOW)
    case_deadlines_refresh(case=by_desk, now=NOW)
    for case in (by_portal, by_desk):
        case.refresh_from_db()
    assert by_portal.status == by_desk.status == "resolved"

    def last_answer(case: Case) -> dict[str, object]:
        event = CaseEvent.objects.filter(case=case, kind="resolution_answered").get()
        payload: dict[str, object] = json.loads(event.clear_payload)
        payload.pop("offer_id")
        return payload

    assert last_answer(by_portal) == last_answer(by_desk)
    met = [
        sorted(
            CaseEvent.objects.filter(case=c, kind="deadline_met").values_list("payload", flat=True)
        )
        for c in (by_portal, by_desk)
    ]
    assert met[0] == met[1]


def test_rejecting_needs_a_reason(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    response = client.post(_answer_url(case_url, case, offer), {"answer": "reject", "reason": " "})
    assert response.status_code == 400
    assert "Please tell us why you are rejecting the offer." in response.content.decode()
    offer.refresh_from_db()
    assert offer.answer == "pending"
    assert not CaseEvent.objects.filter(case=case, kind="resolution_answered").exists()


def test_rejecting_with_a_reason_sends_the_case_back(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    hostile = "Too low <script>alert(1)</script> {{ 7*7 }}\n\u202eevil"
    response = client.post(
        _answer_url(case_url, case, offer), {"answer": "reject", "reason": hostile}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    offer.refresh_from_db()
    assert case.status == "investigating"
    assert (offer.answer, offer.answer_comment) == ("rejected", hostile)
    html = client.get(case_url(case)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html


def test_a_nul_in_the_reason_is_refused(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    response = client.post(
        _answer_url(case_url, case, offer), {"answer": "reject", "reason": "no\x00thanks"}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    offer.refresh_from_db()
    assert offer.answer == "pending"


def test_a_double_submission_records_one_answer(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    first = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    second = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    assert first.status_code == second.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="resolution_answered").count() == 1


def test_the_other_answer_after_an_answer_is_refused(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    response = client.post(
        _answer_url(case_url, case, offer), {"answer": "reject", "reason": "changed my mind"}
    )
    assert response.status_code == 400
    assert "This offer was already accepted on" in response.content.decode()
    assert CaseEvent.objects.filter(case=case, kind="resolution_answered").count() == 1


def test_an_offer_staff_already_answered_is_refused(case: Case, agent: User) -> None:
    offer = _offer(case, agent)
    case_offer_answer(offer=offer, accepted=True, actor=Actor.staff(agent), now=NOW)
    with pytest.raises(DomainError, match="already accepted"):
        services.offer_answer(case=case, offer_id=offer.pk, accepted=True, reason="", now=NOW)


def test_an_offer_the_business_moved_on_from_is_no_longer_open(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent)
    case_transition(case=case, to="investigating", actor=Actor.staff(agent), now=NOW)
    html = client.get(case_url(case)).content.decode()
    assert "This offer is no longer open" in html
    assert "Accept this offer" not in html
    response = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    assert response.status_code == 400
    assert "This offer is no longer open" in response.content.decode()
    offer.refresh_from_db()
    assert offer.answer == "pending"


def test_an_internal_offer_is_neither_shown_nor_answerable(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    offer = _offer(case, agent, visibility=Visibility.INTERNAL)
    assert "Accept this offer" not in client.get(case_url(case)).content.decode()
    response = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    assert response.status_code == 404
    assert "There is no such offer on your complaint." in response.content.decode()
    offer.refresh_from_db()
    assert offer.answer == "pending"


def test_another_cases_offer_cannot_be_answered(
    client: Client, org: Organisation, case: Case, agent: User, case_url: CaseUrl
) -> None:
    other = open_case(org, agent)
    offer = _offer(other, agent)
    response = client.post(_answer_url(case_url, case, offer), {"answer": "accept"})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.answer == "pending"


def test_the_service_refuses_a_missing_reason_before_writing(case: Case, agent: User) -> None:
    offer = _offer(case, agent)
    with pytest.raises(FieldErrors) as caught:
        services.offer_answer(case=case, offer_id=offer.pk, accepted=False, reason="", now=NOW)
    assert caught.value.errors == {"reason": "Please tell us why you are rejecting the offer."}
