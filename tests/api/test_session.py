"""The desk's own calls to the API with the signed-in member's session: CSRF-checked,
acting as that member (as in the desk), with their roles' permissions, and refused
without a live session."""

from __future__ import annotations

from typing import Any

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from plaint.cases.models import CaseEvent


def _desk(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


def test_a_signed_in_member_reads_and_writes_through_the_api_with_the_csrf_token(agent, case):
    client, csrf = _desk(agent)
    read = client.get(f"/api/v1/cases/{case.reference}")
    assert read.status_code == 200, read.content
    assert read.json()["reference"] == case.reference
    wrote = client.post(
        f"/api/v1/cases/{case.reference}/notes",
        {"text": "from the desk's htmx"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert wrote.status_code == 201, wrote.content
    event = CaseEvent.objects.filter(case=case, kind="note_added").get()
    assert event.actor_label == agent.display_name  # as in the desk, no token named
    assert event.actor_id == agent.pk


def test_a_write_without_the_csrf_token_is_refused_and_writes_nothing(agent, case):
    client, _ = _desk(agent)
    before = CaseEvent.objects.count()
    for headers in ({}, {"X-CSRFToken": "not-the-token" * 3}):
        answer = client.post(
            f"/api/v1/cases/{case.reference}/notes",
            {"text": "forged"},
            content_type="application/json",
            headers=headers,
        )
        assert answer.status_code == 403
        assert answer["Content-Type"].startswith("application/problem+json")
        assert "CSRF" in answer.json()["detail"]
    assert CaseEvent.objects.count() == before


def test_a_session_has_its_member_s_permissions_only(agent, case):
    client, _ = _desk(agent)
    answer = client.get("/api/v1/staff")
    assert answer.status_code == 403
    assert "may not do this in the desk" in answer.json()["detail"]


def test_no_session_or_an_ended_one_is_a_401(agent, case):
    client, _ = _desk(agent)
    client.logout()
    client.cookies["sessionid"] = "no-such-session"
    answer = client.get(f"/api/v1/cases/{case.reference}")
    assert answer.status_code == 401
    assert answer["Content-Type"].startswith("application/problem+json")


def test_another_organisation_s_member_sees_nothing_of_ours(outsider, case):
    client, _ = _desk(outsider)
    assert client.get(f"/api/v1/cases/{case.reference}").status_code == 404
    assert client.get("/api/v1/cases").json()["items"] == []
