"""Issue 17, finding 7: every money field answers a bad amount with a precise error, never
HTTP 500, and writes nothing (desk offer, API offer, desk letter field, portal escalation)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.api import tokens
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, ResolutionOffer
from plaint.cases.services import case_transition
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.portal.helpers import complaint, portal_token
from tests.security.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_agent(agent: User) -> Client:
    return signed_in("alice")


@pytest.fixture
def api(admin: User) -> ApiClient:
    made = tokens.token_create(
        organisation=admin.organisation,  # type: ignore[arg-type]
        owner=admin,
        name="money",
        scopes=["read", "write", "letters"],
        actor=admin,
        now=NOW,
    )
    return ApiClient(made.secret)


@pytest.fixture
def case_url() -> Callable[..., str]:
    def make(case: Case, suffix: str = "") -> str:
        return f"/complain/{case.organisation.slug}/case/{portal_token(case)}/{suffix}"

    return make


BAD = [
    ("1e30", "too large"),
    ("1e999", "too large"),
    ("NaN", "not an amount"),
    ("Infinity", "not an amount"),
    ("-1", "zero or more"),
    ("12.345", "two decimal places"),
]


def _events(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


@pytest.mark.parametrize(("amount", "problem"), BAD)
def test_desk_offer(as_agent: Client, agent: User, case: Case, amount: str, problem: str) -> None:
    case_transition(case=case, to="investigating", actor=Actor.staff(agent), now=NOW)
    before = _events(case)
    response = as_agent.post(
        f"/cases/{case.reference}/actions/offer/",
        {"redress": "refund", "amount": amount, "currency": "GBP"},
    )
    assert response.status_code == 400, response.status_code
    assert problem in response.content.decode()
    assert not ResolutionOffer.objects.filter(case=case).exists()
    assert _events(case) == before


@pytest.mark.parametrize(("amount", "problem"), BAD)
def test_api_offer(api: ApiClient, case: Case, amount: str, problem: str) -> None:
    ref = case.reference
    etag = str(api.get(f"/api/v1/cases/{ref}")["ETag"])
    response = api.post(
        f"/api/v1/cases/{ref}/offers",
        {"redress": "refund", "amount": {"amount": amount, "currency": "GBP"}},
        headers={"If-Match": etag},
    )
    assert response.status_code in (400, 422), response.status_code
    assert problem in response.content.decode()
    assert not ResolutionOffer.objects.filter(case=case).exists()


@pytest.mark.parametrize(("amount", "problem"), BAD)
def test_desk_letter_field(as_agent: Client, case: Case, amount: str, problem: str) -> None:
    before = _events(case)
    response = as_agent.post(
        f"/cases/{case.reference}/letters/",
        {"kind": "escalation", "page_size": "A4", "f-case.amount": amount},
    )
    assert response.status_code == 400, response.status_code
    assert problem in response.content.decode()
    assert _events(case) == before


@pytest.mark.parametrize(("amount", "problem"), BAD)
def test_portal_escalation(
    client: Client, case: Case, case_url: Callable[..., str], amount: str, problem: str
) -> None:
    before = _events(case)
    response = client.post(
        case_url(case, "escalate/"),
        {"grounds": "unhappy", "explanation": "Nobody calls back.", "case.amount": amount},
    )
    assert response.status_code == 400, response.status_code
    assert problem in response.content.decode()
    case.refresh_from_db()
    assert case.status != "escalated"
    assert _events(case) == before


@pytest.mark.parametrize(("amount", "problem"), BAD)
def test_portal_complaint_form(
    client: Client, org: Organisation, amount: str, problem: str
) -> None:
    response = client.post(f"/complain/{org.slug}/", complaint(amount=amount, currency="GBP"))
    assert response.status_code == 400, response.status_code
    assert "Please correct the amount: it " in response.content.decode()
    assert problem in response.content.decode()
    assert not Case.objects.exists()
