"""The case page's forms: each calls its service, shows its errors, writes nothing on error."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plaint.cases import selectors, services
from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent
from tests.conftest import NOW

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def url(case, action: str) -> str:
    return f"/cases/{case.reference}/actions/{action}/"


def kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def post(client: Client, case, action: str, data: dict) -> tuple[int, str]:
    response = client.post(url(case, action), data)
    return response.status_code, response.content.decode()


def test_case_page_offers_the_forms_of_the_agents_role(as_agent, case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    for text in (
        "Log a contact",
        "Add a note",
        "Upload evidence",
        "Change status",
        "Take this case",
    ):
        assert text in page, text
    assert 'name="csrfmiddlewaretoken"' in page


def test_log_a_contact(as_agent, case) -> None:
    data = {
        "contact_at": "2026-03-01T12:00",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Raj",
        "ticket_number": "TCK-9",
        "wait_minutes": "15",
        "summary": "Customer called about the double charge.",
    }
    response = as_agent.post(url(case, "contact"), data)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#contact"
    assert kinds(case)[-1] == "contact_logged" or "contact_logged" in kinds(case)
    contact = selectors.case_contacts(case=case).get()
    assert contact.ticket_number == "TCK-9" and contact.wait_minutes == 15


def test_contact_in_the_future_is_refused_and_nothing_written(as_agent, case) -> None:
    before = kinds(case)
    status, page = post(
        as_agent,
        case,
        "contact",
        {"contact_at": "2999-01-01T10:00", "channel": "phone", "direction": "inbound"},
    )
    assert status == 400 and "is in the future" in page
    assert kinds(case) == before


def test_bad_form_input_is_shown_and_nothing_written(as_agent, case) -> None:
    before = kinds(case)
    status, page = post(as_agent, case, "contact", {"contact_at": "nope", "channel": "pigeon"})
    assert status == 400 and "Select a valid choice" in page
    assert kinds(case) == before


def test_add_a_note_internal_and_customer_visible(as_agent, case) -> None:
    assert (
        post(as_agent, case, "note", {"text": "Checked billing", "visibility": "internal"})[0]
        == 302
    )
    assert (
        post(as_agent, case, "note", {"text": "We are on it", "visibility": "customer"})[0] == 302
    )
    notes = CaseEvent.objects.filter(case=case, kind="note_added").order_by("seq")
    assert [n.visibility for n in notes] == ["internal", "customer"]


def test_empty_note_is_refused(as_agent, case) -> None:
    before = kinds(case)
    status, page = post(as_agent, case, "note", {"text": "   ", "visibility": "internal"})
    assert status == 400 and "required" in page
    assert kinds(case) == before


def test_upload_evidence(as_agent, case) -> None:
    upload = SimpleUploadedFile("bill.txt", b"Invoice 123, charged twice", "text/plain")
    response = as_agent.post(url(case, "evidence"), {"file": upload, "description": "The bill"})
    assert response.status_code == 302
    evidence = selectors.case_evidence(case=case).get()
    assert evidence.filename == "bill.txt" and "evidence_attached" in kinds(case)


def test_refused_evidence_type_is_shown(as_agent, case) -> None:
    before = kinds(case)
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00binary", "application/x-msdownload")
    status, page = post(as_agent, case, "evidence", {"file": upload})
    assert status == 400 and 'class="error' in page
    assert kinds(case) == before


def test_agent_takes_an_unassigned_case(as_agent, agent, case) -> None:
    assert post(as_agent, case, "assign", {"assignee": str(agent.pk)})[0] == 302
    case.refresh_from_db()
    assert case.assignee == agent and "case_assigned" in kinds(case)


def test_agent_cannot_assign_to_someone_else(as_agent, other_agent, case) -> None:
    status, _ = post(as_agent, case, "assign", {"assignee": str(other_agent.pk)})
    assert status == 400
    case.refresh_from_db()
    assert case.assignee is None


def test_agent_cannot_reassign_another_agents_case(as_agent, agent, other_agent, case) -> None:
    services.case_assign(case=case, assignee=other_agent, actor=Actor.staff(other_agent), now=NOW)
    status, _ = post(as_agent, case, "assign", {"assignee": str(agent.pk)})
    # Agents see their own cases and unassigned ones: another agent's case is not there.
    assert status == 404
    assert as_agent.get(f"/cases/{case.reference}/").status_code == 404
    case.refresh_from_db()
    assert case.assignee == other_agent


def test_supervisor_reassigns_and_unassigns(as_supervisor, agent, other_agent, case) -> None:
    services.case_assign(case=case, assignee=agent, actor=Actor.staff(agent), now=NOW)
    assert post(as_supervisor, case, "assign", {"assignee": str(other_agent.pk)})[0] == 302
    case.refresh_from_db()
    assert case.assignee == other_agent
    assert post(as_supervisor, case, "assign", {"assignee": ""})[0] == 302
    case.refresh_from_db()
    assert case.assignee is None
    status, page = post(as_supervisor, case, "assign", {"assignee": ""})
    assert status == 400 and "already assigned to nobody" in page


def test_only_legal_transitions_are_offered(as_agent, case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    form = page.split('id="transition"')[1].split("</form>")[0]
    offered = set(re.findall(r'<option value="([a-z_]+)"', form))
    assert offered == {s.value for s in selectors.case_next_statuses(case=case)}
    assert "closed" not in offered and "received" not in offered


def test_change_status_and_illegal_transition(as_agent, case) -> None:
    assert post(as_agent, case, "transition", {"to": "acknowledged", "reason": "ok"})[0] == 302
    case.refresh_from_db()
    assert case.status == "acknowledged" and "status_changed" in kinds(case)
    before = kinds(case)
    status, page = post(as_agent, case, "transition", {"to": "received"})
    assert status == 400 and "Select a valid choice" in page
    assert kinds(case) == before


def _investigating(case, agent) -> None:
    for status in ("acknowledged", "investigating"):
        services.case_transition(case=case, to=status, actor=Actor.staff(agent), now=NOW)


def test_offer_answer_and_close(as_agent, agent, case) -> None:
    _investigating(case, agent)
    before = kinds(case)
    status, page = post(as_agent, case, "offer", {"redress": "refund", "currency": "GBP"})
    assert status == 400 and "needs an amount" in page and kinds(case) == before
    offer_data = {"redress": "refund", "amount": "84.20", "currency": "GBP", "description": "x"}
    assert post(as_agent, case, "offer", offer_data)[0] == 302
    status, page = post(as_agent, case, "offer", offer_data)
    assert status == 400 and "awaiting the customer" in page
    offer = selectors.case_offers(case=case).get()
    answer = {"offer": str(offer.pk), "answer": "accept", "comment": "Thanks"}
    assert post(as_agent, case, "answer", answer)[0] == 302
    case.refresh_from_db()
    assert case.status == "resolved"
    before = kinds(case)
    status, page = post(as_agent, case, "close", {"outcome": "upheld", "root_cause": " "})
    assert status == 400 and kinds(case) == before
    close = {
        "outcome": "upheld",
        "root_cause_code": "systems",
        "root_cause": "Billing system double-run",
        "summary": "Refunded",
    }
    assert post(as_agent, case, "close", close)[0] == 302
    case.refresh_from_db()
    assert case.status == "closed" and kinds(case)[-1] in {"case_closed", "deadline_met"}
    assert "case_closed" in kinds(case)


def test_close_an_open_case_shows_the_lifecycle_message(as_agent, case) -> None:
    before = kinds(case)
    close = {"outcome": "upheld", "root_cause_code": "systems", "root_cause": "x"}
    status, page = post(as_agent, case, "close", close)
    assert status == 400 and "cannot move from" in page
    assert kinds(case) == before


def test_record_a_milestone(as_agent, case) -> None:
    data = {"milestone": "acknowledgement_sent", "at": "2026-03-01T15:00", "note": "by email"}
    assert post(as_agent, case, "milestone", data)[0] == 302
    assert "milestone_recorded" in kinds(case)


def test_derived_milestones_are_not_offered(as_agent, case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    form = page.split('id="milestone"')[1].split("</form>")[0]
    assert 'value="complaint_received"' not in form and 'value="goods_delivered"' in form
    before = kinds(case)
    status, _ = post(
        as_agent, case, "milestone", {"milestone": "complaint_received", "at": "2026-03-01T10:00"}
    )
    assert status == 400 and kinds(case) == before


def test_actions_refresh_deadlines(as_agent, case) -> None:
    from plaint.deadlines.selectors import case_deadlines

    post(as_agent, case, "note", {"text": "refresh please", "visibility": "internal"})
    assert case_deadlines(case=case).exists()


def test_legal_reviewer_may_only_view(as_legal, case) -> None:
    page = as_legal.get(f"/cases/{case.reference}/")
    assert page.status_code == 200 and "view this case" in page.content.decode()
    before = kinds(case)
    for action, data in (
        ("contact", {"contact_at": "2026-03-01T12:00", "channel": "phone", "direction": "inbound"}),
        ("note", {"text": "hi", "visibility": "internal"}),
        ("transition", {"to": "acknowledged"}),
        ("assign", {"assignee": ""}),
        ("close", {"outcome": "upheld", "root_cause": "x"}),
    ):
        assert post(as_legal, case, action, data)[0] == 403, action
    assert kinds(case) == before


def test_other_organisations_cases_are_not_found(as_outsider, case) -> None:
    before = kinds(case)
    assert as_outsider.get(f"/cases/{case.reference}/").status_code == 404
    status, _ = post(as_outsider, case, "note", {"text": "hi", "visibility": "internal"})
    assert status == 404 and kinds(case) == before


def test_unknown_action_and_get_are_refused(as_agent, case) -> None:
    assert as_agent.post(url(case, "explode"), {}).status_code == 404
    assert as_agent.get(url(case, "note")).status_code == 405


def test_anonymous_posts_go_to_sign_in(db, case) -> None:
    response = Client().post(url(case, "note"), {"text": "hi", "visibility": "internal"})
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("contact", {"contact_at": "2026-03-01T12:00", "channel": "phone", "direction": "inbound"}),
        ("note", {"text": "hi", "visibility": "internal"}),
        ("evidence", {"description": "x"}),
        ("assign", {"assignee": ""}),
        ("transition", {"to": "acknowledged"}),
        ("offer", {"redress": "apology"}),
        ("answer", {"offer": "1", "answer": "accept"}),
        ("close", {"outcome": "upheld", "root_cause": "x"}),
        ("milestone", {"milestone": "acknowledgement_sent", "at": "2026-03-01T12:00"}),
        ("triage", {"category": "Other"}),
        ("legal_clear", {"note": "fine"}),
    ],
)
def test_every_form_needs_its_csrf_token(admin_of_org, case, action, data) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ada", password="pw-ada-123")
    before = kinds(case)
    assert client.post(url(case, action), data).status_code == 403
    assert kinds(case) == before


def test_the_page_form_posts_with_its_token(admin_of_org, case) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ada", password="pw-ada-123")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    data = {"text": "hi", "visibility": "internal", "csrfmiddlewaretoken": token.group(1)}
    assert client.post(url(case, "note"), data).status_code == 302


def test_hostile_text_in_every_free_text_field_is_inert(as_agent, agent, case) -> None:
    post(
        as_agent,
        case,
        "contact",
        {
            "contact_at": "2026-03-01T12:00",
            "channel": "phone",
            "direction": "inbound",
            "representative": XSS,
            "ticket_number": XSS[:90],
            "summary": XSS,
        },
    )
    post(as_agent, case, "note", {"text": XSS, "visibility": "customer"})
    upload = SimpleUploadedFile("<b>x</b>.txt", b"hello", "text/plain")
    as_agent.post(url(case, "evidence"), {"file": upload, "description": XSS})
    _investigating(case, agent)
    post(as_agent, case, "offer", {"redress": "apology", "description": XSS})
    offer = selectors.case_offers(case=case).get()
    post(as_agent, case, "answer", {"offer": str(offer.pk), "answer": "reject", "comment": XSS})
    post(
        as_agent,
        case,
        "milestone",
        {"milestone": "goods_delivered", "at": "2026-03-01T10:00", "note": XSS[:400]},
    )
    post(as_agent, case, "transition", {"to": "escalated", "reason": XSS})
    assert len(kinds(case)) >= 9
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>x</b>" not in page
    assert "&lt;script&gt;" in page
    # and in a form shown back with an error
    _, page = post(as_agent, case, "close", {"outcome": "upheld", "root_cause": XSS})
    assert "<script>alert" not in page


def test_htmx_posts_get_the_same_answers(as_agent, case) -> None:
    headers = {"HTTP_HX_REQUEST": "true"}
    ok = as_agent.post(url(case, "note"), {"text": "via htmx", "visibility": "internal"}, **headers)
    assert ok.status_code == 302  # htmx follows it and swaps #case from the page
    bad = as_agent.post(url(case, "note"), {"text": "", "visibility": "internal"}, **headers)
    assert bad.status_code == 400 and 'id="case"' in bad.content.decode()
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert 'hx-select="#case"' in page and '"code":"400","swap":true' in page


def test_a_stale_form_is_refused_naming_who_changed_what(as_agent, case, supervisor) -> None:
    """Collision: the form was rendered before a colleague added a note; it is refused,
    nothing is written, and the message says who did what."""
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    rendered = re.search(r'name="version" value="(\d+)"', page)
    assert rendered is not None and int(rendered.group(1)) == case.ledger_length
    services.case_note_add(
        case=case, text="Spoke to billing", actor=Actor.staff(supervisor), now=NOW
    )
    before = kinds(case)
    data = {"text": "My note", "visibility": "internal", "version": rendered.group(1)}
    status, body = post(as_agent, case, "note", data)
    assert status == 400
    assert f"{case.reference} changed while you had it open: {supervisor.display_name}" in body
    assert "added a note" in body and "Nothing was saved" in body
    assert kinds(case) == before
    # The page came back at the new version: sent again, the note is saved.
    fresh = re.search(r'name="version" value="(\d+)"', body)
    assert fresh is not None and int(fresh.group(1)) == len(before)
    assert post(as_agent, case, "note", {**data, "version": fresh.group(1)})[0] == 302
    after = kinds(case)  # the note, then any deadline the refresh after it set
    assert after[: len(before) + 1] == [*before, "note_added"]


def test_a_malformed_version_is_refused(as_agent, case) -> None:
    before = kinds(case)
    data = {"text": "x", "visibility": "internal", "version": "1; drop"}
    status, body = post(as_agent, case, "note", data)
    assert status == 400 and "is not a case version" in body
    assert kinds(case) == before
