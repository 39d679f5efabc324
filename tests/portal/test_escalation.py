"""Escalation: the letter is written from the record (with the logged contacts), missing
facts are asked for, the escalation is recorded, the PDF is offered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import CustomerDetails, case_contact_log, case_transition
from plaint.deadlines.services import case_deadlines_refresh
from plaint.letters.selectors import case_letter_file, case_letters
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]


def _customer(**overrides: str) -> CustomerDetails:
    values = {
        "name": "Dana Whitfield",
        "email": "dana@example.org",
        "phone": "+44 20 7946 0000",
        "postal_address": "1 High Street\nLondon N1 1AA",
        "preferred_contact_times": "weekdays after 5pm",
    }
    values.update(overrides)
    return CustomerDetails(**values)


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    case = open_case(org, agent, customer=_customer(), occurred_on=datetime(2026, 2, 14).date())
    for when, rep, ticket, wait in (
        (datetime(2026, 3, 1, 11, 0, tzinfo=UTC), "Priya", "T-1001", 35),
        (datetime(2026, 3, 2, 9, 15, tzinfo=UTC), "Marcus", "T-1002", 50),
    ):
        case_contact_log(
            case=case,
            contact_at=when,
            channel="phone",
            direction="outbound",
            representative=rep,
            ticket_number=ticket,
            wait_minutes=wait,
            summary="Promised a refund",
            actor=Actor.staff(agent),
            now=NOW,
        )
    return case


def test_escalate_when_unhappy(client: Client, case: Case, case_url: CaseUrl) -> None:
    page = client.get(case_url(case, "escalate/"))
    assert page.status_code == 200
    assert "Why are you escalating?" in page.content.decode()

    response = client.post(
        case_url(case, "escalate/"), {"grounds": "unhappy", "explanation": "Nobody calls back."}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "Your complaint is escalated" in html

    case.refresh_from_db()
    assert case.status == "escalated"
    (kept,) = case_letters(case=case)
    assert kept.payload.letter == "escalation"
    assert kept.event.actor_kind == "customer"
    markdown = case_letter_file(case=case, seq=kept.event.seq, fmt="md").decode()
    for fact in ("T-1001", "T-1002", "Priya", "Marcus", "INV-12345", "Refund the duplicate"):
        assert fact in markdown, fact
    last = CaseEvent.objects.filter(case=case).last()
    assert last is not None and last.kind == "status_changed" and last.visibility == "customer"
    assert "Nobody calls back." in last.clear_payload

    pdf_url = case_url(case, f"letters/{kept.event.seq}.pdf")
    assert f'/letters/{kept.event.seq}.pdf"' in html
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The case page lists the letter and shows the escalation on the timeline.
    page_html = client.get(case_url(case)).content.decode()
    assert "Escalation letter" in page_html
    assert "Escalated" in page_html


def test_missing_fields_are_asked_for(
    client: Client, org: Organisation, agent: User, case_url: CaseUrl
) -> None:
    case = open_case(org, agent, customer=_customer(postal_address="", phone=""))
    response = client.post(case_url(case, "escalate/"), {"grounds": "unhappy"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The letter needs a few more details." in html
    assert "Customer&#x27;s postal address" in html
    assert 'name="customer.address"' in html and 'name="customer.phone"' in html
    assert 'name="case.occurred_on"' in html
    assert not case_letters(case=case)
    case.refresh_from_db()
    assert case.status == "received"

    supplied = {
        "grounds": "unhappy",
        "customer.address": "1 High Street\nLondon",
        "customer.phone": "+44 20 7946 0000",
        "case.occurred_on": "2026-02-14",
    }
    done = client.post(case_url(case, "escalate/"), supplied)
    assert done.status_code == 200, done.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == "escalated"


def test_supplied_field_left_empty_is_required(
    client: Client, org: Organisation, agent: User, case_url: CaseUrl
) -> None:
    case = open_case(org, agent, customer=_customer(postal_address=""))
    response = client.post(
        case_url(case, "escalate/"),
        {"grounds": "unhappy", "customer.address": "", "case.occurred_on": "2026-02-14"},
    )
    assert response.status_code == 400
    assert "Please give: Customer&#x27;s postal address." in response.content.decode()


def test_deadline_grounds_need_a_passed_deadline(
    client: Client, org: Organisation, agent: User, case: Case, case_url: CaseUrl
) -> None:
    refused = client.post(case_url(case, "escalate/"), {"grounds": "deadline"})
    assert refused.status_code == 400
    assert "No deadline the business committed to has passed yet." in refused.content.decode()
    assert not case_letters(case=case)

    case_deadlines_refresh(case=case, now=NOW)  # received 1 March: 8 weeks have passed since
    page = client.get(case_url(case)).content.decode()
    assert "A deadline Acme Energy committed to has passed." in page
    done = client.post(case_url(case, "escalate/"), {"grounds": "deadline"})
    assert done.status_code == 200
    case.refresh_from_db()
    assert case.status == "escalated"


def test_escalating_twice_records_a_note(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    case_transition(case=case, to="escalated", actor=Actor.staff(agent), now=NOW)
    response = client.post(case_url(case, "escalate/"), {"grounds": "unhappy"})
    assert response.status_code == 200
    assert "Your escalation is recorded" in response.content.decode()
    last = CaseEvent.objects.filter(case=case).last()
    assert last is not None and (last.kind, last.visibility) == ("note_added", "customer")


def test_escalation_text_is_inert(client: Client, case: Case, case_url: CaseUrl) -> None:
    payload = "<script>alert(1)</script>{{ 7*7 }}"
    client.post(case_url(case, "escalate/"), {"grounds": "unhappy", "explanation": payload})
    html = client.get(case_url(case)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in html


def test_fca_case_shows_the_ombudsman_facts_from_the_repo(
    client: Client, case: Case, case_url: CaseUrl
) -> None:
    html = client.get(case_url(case)).content.decode()
    assert "The Financial Ombudsman Service" in html
    assert (
        "Customer may refer to the Financial Ombudsman Service (6 months from the final response "
        "or summary resolution communication)" in html
    )
    assert "FCA Handbook DISP 2.8.2R(1)" in html
    assert "www.financial-ombudsman.org.uk" in html


def test_other_regimes_show_no_ombudsman_section(
    client: Client, org: Organisation, agent: User, case_url: CaseUrl
) -> None:
    case = open_case(org, agent, regime="")
    assert "Financial Ombudsman" not in client.get(case_url(case)).content.decode()
