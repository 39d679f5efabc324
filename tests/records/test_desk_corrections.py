"""The desk's records panel: correct a detail from the case page."""

from __future__ import annotations

import pytest
from django.test import Client

from plaint.cases.models import Case, CaseEvent
from tests.conftest import _staff


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"pw-{username}-123")
    return client


def test_agent_corrects_a_detail_from_the_case_page(case, agent) -> None:
    client = _client("alice")
    page = client.get(f"/cases/{case.reference}/")
    assert b"Correct a detail" in page.content
    response = client.post(
        f"/records/cases/{case.reference}/correct/",
        {"field": "case.order_number", "value": "INV-54321", "reason": "Digits swapped"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Corrected order number." in response.content.decode()
    case.refresh_from_db()
    assert case.order_number == "INV-54321"
    assert "order number “INV-12345” → “INV-54321”" in response.content.decode()


def test_refused_correction_says_why_and_writes_nothing(case, agent) -> None:
    client = _client("alice")
    before = case.ledger_length
    response = client.post(
        f"/records/cases/{case.reference}/correct/",
        {"field": "customer.email", "value": "<script>x</script>", "reason": "typo"},
        follow=True,
    )
    text = response.content.decode()
    assert "Correction not saved: email" in text
    assert "<script>x</script>" not in text
    response = client.post(
        f"/records/cases/{case.reference}/correct/",
        {"field": "case.received_at", "value": "2026-02-01 09:00", "reason": "typo"},
        follow=True,
    )
    assert "needs its UTC offset" in response.content.decode()
    assert Case.objects.get(pk=case.pk).ledger_length == before


@pytest.mark.parametrize("field", ["case.status", "customer.vulnerability_notes"])
def test_fields_outside_the_list_are_refused(case, agent, field) -> None:
    response = _client("alice").post(
        f"/records/cases/{case.reference}/correct/",
        {"field": field, "value": "x", "reason": "r"},
        follow=True,
    )
    assert "Correction not saved: field" in response.content.decode()
    assert not CaseEvent.objects.filter(case=case, kind="case_corrected").exists()


def test_other_organisations_legal_reviewers_and_strangers_cannot_correct(
    case, outsider, org
) -> None:
    from plaint.accounts.roles import Role

    assert (
        _client("oscar")
        .post(
            f"/records/cases/{case.reference}/correct/",
            {"field": "case.product", "value": "x", "reason": "r"},
        )
        .status_code
        == 404
    )
    _staff(org, "lee", Role.LEGAL_REVIEWER, "Lee", "Gal")
    assert (
        _client("lee")
        .post(
            f"/records/cases/{case.reference}/correct/",
            {"field": "case.product", "value": "x", "reason": "r"},
        )
        .status_code
        == 403
    )
    assert Client().post(f"/records/cases/{case.reference}/correct/").status_code == 302


def test_supervisor_places_and_lifts_a_legal_hold_from_the_case_page(
    case, agent, supervisor
) -> None:
    agent_client = _client("alice")
    assert b"Place a legal hold" not in agent_client.get(f"/cases/{case.reference}/").content
    assert (
        agent_client.post(f"/records/cases/{case.reference}/hold/", {"reason": "x"}).status_code
        == 403
    )
    client = _client("sue")
    assert b"Place a legal hold" in client.get(f"/cases/{case.reference}/").content
    response = client.post(f"/records/cases/{case.reference}/hold/", {"reason": " "}, follow=True)
    assert "Legal hold not changed: reason" in response.content.decode()
    response = client.post(
        f"/records/cases/{case.reference}/hold/", {"reason": "Claim issued"}, follow=True
    )
    text = response.content.decode()
    assert "Legal hold placed." in text and "On legal hold:" in text
    assert "Legal hold placed: nothing may be erased." in text  # the timeline
    response = client.post(
        f"/records/cases/{case.reference}/hold/", {"reason": "Settled"}, follow=True
    )
    assert "Legal hold lifted." in response.content.decode()
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["legal_hold_placed", "legal_hold_lifted"]
