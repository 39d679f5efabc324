"""The first staff pages: sign in, the case list with filters, the case page."""

from __future__ import annotations

import pytest
from django.test import Client

from plaint.cases import services
from plaint.cases.ledger import Actor
from tests.conftest import NOW, open_case


@pytest.fixture
def signed_in(agent) -> Client:
    client = Client()
    assert client.login(username="alice", password="pw-alice-123")
    return client


def test_anonymous_users_are_sent_to_sign_in(db) -> None:
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_sign_in_page_and_wrong_password(agent) -> None:
    client = Client()
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert b"do not match" in response.content
    response = client.post("/login/", {"username": "alice", "password": "pw-alice-123"})
    assert response.status_code == 302


def test_case_list_shows_own_cases_and_filters(signed_in, org, agent, other_org, outsider) -> None:
    ours = open_case(org, agent, product="Broadband")
    open_case(org, agent, product="Energy supply")
    theirs = open_case(other_org, outsider)
    page = signed_in.get("/").content.decode()
    assert ours.reference in page and theirs.reference not in page
    assert "2 cases" in page
    filtered = signed_in.get("/", {"product": "Broadband"}).content.decode()
    assert "1 case<" in filtered
    partial = signed_in.get("/", {"product": "Broadband"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and ours.reference in partial
    bad = signed_in.get("/", {"received_from": "2026-03-05", "received_to": "2026-03-01"})
    assert "after" in bad.content.decode()


def test_case_page_shows_fields_and_timeline(signed_in, org, agent) -> None:
    case = open_case(org, agent)
    services.case_contact_log(
        case=case,
        contact_at=NOW,
        channel="phone",
        direction="inbound",
        representative="Raj",
        ticket_number="TCK-1",
        wait_minutes=12,
        actor=Actor.staff(agent),
        now=NOW,
    )
    page = signed_in.get(f"/cases/{case.reference}/").content.decode()
    for text in (
        "Dana Whitfield",
        "INV-12345",
        "GBP 84.20",
        "Timeline",
        "Complaint AC-2026-000001 received by phone",
        "ticket TCK-1",
        "waited 12 min",
    ):
        assert text in page, text


def test_hostile_text_is_escaped(signed_in, org, agent) -> None:
    case = open_case(
        org,
        agent,
        description="<script>alert('pwned')</script> {{ 7*7 }}",
    )
    # (a name refuses markup outright: see tests/integration/test_contact_points.py)
    services.case_note_add(
        case=case, text="<b>bold</b><img src=x onerror=alert(1)>", actor=Actor.staff(agent), now=NOW
    )
    searched = {"q": "<img src=x onerror=alert(1)>"}  # the list echoes the search
    for url, query in (("/", searched), (f"/cases/{case.reference}/", {})):
        page = signed_in.get(url, query).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;" in page
    page = signed_in.get(f"/cases/{case.reference}/").content.decode()
    narrative = page.split('<div class="narrative">', 1)[1].split("</div>", 1)[0]
    assert "{{ 7*7 }}" in narrative and "49" not in narrative  # shown as text, not evaluated


def test_another_organisations_case_is_not_found(signed_in, other_org, outsider) -> None:
    theirs = open_case(other_org, outsider)
    assert signed_in.get(f"/cases/{theirs.reference}/").status_code == 404


def test_staff_without_an_organisation_or_role_are_refused(db, django_user_model) -> None:
    django_user_model.objects.create_user(username="loner", password="pw-loner-123")
    client = Client()
    client.login(username="loner", password="pw-loner-123")
    assert client.get("/").status_code == 403


def test_times_are_shown_in_the_organisations_time_zone(signed_in, org, agent) -> None:
    org.time_zone = "America/New_York"
    org.save()
    case = open_case(org, agent)  # received 2026-03-01 09:00 UTC = 04:00 in New York
    page = signed_in.get(f"/cases/{case.reference}/").content.decode()
    assert "1 Mar 2026, 04:00" in page


def test_status_counts_use_labels(signed_in, org, agent) -> None:
    case = open_case(org, agent)
    services.case_transition(case=case, to="escalated", actor=Actor.staff(agent), now=NOW)
    page = signed_in.get("/").content.decode()
    assert '<a href="?status=escalated">Escalated</a> <b>1</b>' in page
