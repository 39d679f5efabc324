"""Every service writes its change and exactly one ledger event, or nothing at all."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent, Contact, Customer, Evidence, ResolutionOffer
from plaint.domain.errors import DomainError, FieldErrors, InvalidTransition
from plaint.domain.lifecycle import CaseStatus
from tests.conftest import NOW, open_case

LATER = NOW + timedelta(hours=1)


def events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq"))


def last_payload(case: Case) -> dict:
    return json.loads(events(case)[-1].clear_payload)


def test_case_open_writes_the_case_and_its_opening_event(case: Case, agent) -> None:
    assert case.reference == "AC-2026-000001"
    assert case.status == "received"
    assert case.customer.name == "Dana Whitfield"
    assert case.amount_in_dispute == Decimal("84.20")
    [event] = events(case)
    assert (event.seq, event.kind, event.actor_id, event.actor_kind) == (
        1,
        "case_opened",
        agent.pk,
        "staff",
    )
    assert event.occurred_at == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert event.recorded_at == NOW
    payload = json.loads(event.clear_payload)
    assert payload["reference"] == case.reference
    assert payload["amount_in_dispute"] == "84.20"
    assert payload["order_number"] == "INV-12345"
    assert payload["customer_name"] == "Dana Whitfield"
    case.refresh_from_db()
    assert (case.ledger_length, case.ledger_head) == (1, event.hash)


def test_references_count_up_per_organisation_and_year(org, other_org, agent, outsider) -> None:
    refs = [open_case(org, agent).reference for _ in range(3)]
    refs.append(
        open_case(org, agent, received_at=datetime(2025, 12, 31, 23, 0, tzinfo=UTC)).reference
    )
    refs.append(open_case(other_org, outsider).reference)
    assert refs == [
        "AC-2026-000001",
        "AC-2026-000002",
        "AC-2026-000003",
        "AC-2025-000001",
        "PL-2026-000001",
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "problem"),
    [
        ({"description": "   "}, "description", "is required"),
        ({"channel": "pigeon"}, "channel", "is not one of"),
        ({"amount_in_dispute": "-5"}, "amount_in_dispute", "zero or more"),
        ({"amount_in_dispute": "1.234"}, "amount_in_dispute", "two decimal places"),
        ({"amount_in_dispute": "1e13"}, "amount_in_dispute", "too large"),
        ({"amount_in_dispute": "lots"}, "amount_in_dispute", "is not an amount"),
        ({"currency": "pounds"}, "currency", "ISO 4217"),
        ({"received_at": NOW + timedelta(days=1)}, "received_at", "future"),
        ({"occurred_on": date(2026, 3, 5)}, "occurred_on", "after the complaint"),
        ({"priority": "whenever"}, "priority", "is not one of"),
        ({"description": "a\x00b"}, "description", "NUL"),
        ({"description": "x" * 100_001}, "description", "longer than 100,000 characters"),
        ({"product": "p" * 201}, "product", "at most 200 characters"),
        (
            {"customer": services.CustomerDetails(name="Dana", email="not-an-email")},
            "customer.email",
            "not a valid e-mail address",
        ),
        (
            {"customer": services.CustomerDetails(name="D" * 201)},
            "customer.name",
            "longer than 200",
        ),
    ],
)
def test_case_open_refuses_bad_input_and_writes_nothing(org, agent, overrides, field, problem):
    with pytest.raises(FieldErrors) as info:
        open_case(org, agent, **overrides)
    assert problem in info.value.errors[field]
    assert Case.objects.count() == CaseEvent.objects.count() == Customer.objects.count() == 0


def test_naive_datetimes_are_refused(org, agent) -> None:
    with pytest.raises(FieldErrors, match="timezone-aware"):
        open_case(org, agent, received_at=datetime(2026, 3, 1, 9, 0))


def test_customer_of_another_organisation_is_refused(org, other_org, agent, outsider) -> None:
    theirs = open_case(other_org, outsider).customer
    with pytest.raises(FieldErrors, match="another organisation"):
        open_case(org, agent, customer=theirs)


def test_hostile_text_is_stored_verbatim(org, agent) -> None:
    """Free text (what the customer wrote) keeps what was typed; names refuse markup (see
    test_contact_points.py), but an apostrophe and SQL-looking words are a name's right."""
    hostile = "<script>alert('x')</script> {{ 7*7 }} {% include 'x' %} Robert'); DROP TABLE--"
    name = "Robert'); DROP TABLE--"
    case = open_case(org, agent, description=hostile, customer=services.CustomerDetails(name=name))
    assert case.customer.name == name
    case.refresh_from_db()
    assert case.description == hostile
    assert json.loads(events(case)[0].clear_payload)["description"] == hostile


def test_contact_log(case: Case, agent) -> None:
    contact = services.case_contact_log(
        case=case,
        contact_at=NOW - timedelta(hours=2),
        channel="phone",
        direction="outbound",
        representative="Raj in billing",
        ticket_number="TCK-778",
        wait_minutes=37,
        summary="Promised a refund within 5 days",
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert Contact.objects.get() == contact
    evs = events(case)
    assert [e.kind for e in evs] == ["case_opened", "contact_logged"]
    assert evs[1].visibility == "customer"
    assert evs[1].occurred_at == NOW - timedelta(hours=2)
    assert last_payload(case) == {
        "contact_id": contact.pk,
        "contact_at": (NOW - timedelta(hours=2)).isoformat(),
        "channel": "phone",
        "direction": "outbound",
        "representative": "Raj in billing",
        "ticket_number": "TCK-778",
        "wait_minutes": 37,
        "summary": "Promised a refund within 5 days",
        "summary_visibility": "internal",
        "restriction_override": None,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"representative": "R" * 201}, "representative"),
        ({"ticket_number": "T" * 101}, "ticket_number"),
        ({"wait_minutes": -1}, "wait_minutes"),
        ({"wait_minutes": 5000}, "wait_minutes"),
        ({"direction": "sideways"}, "direction"),
        ({"contact_at": LATER + timedelta(days=1)}, "contact_at"),
    ],
)
def test_contact_log_refuses_bad_input(case, agent, kwargs, field) -> None:
    args = {
        "case": case,
        "contact_at": NOW,
        "channel": "email",
        "direction": "inbound",
        "actor": Actor.staff(agent),
        "now": LATER,
        **kwargs,
    }
    with pytest.raises(FieldErrors) as info:
        services.case_contact_log(**args)
    assert field in info.value.errors
    assert Contact.objects.count() == 0 and len(events(case)) == 1


def test_note_add(case, agent) -> None:
    services.case_note_add(
        case=case, text="Checked the billing run.", actor=Actor.staff(agent), now=LATER
    )
    assert events(case)[-1].kind == "note_added"
    assert events(case)[-1].visibility == "internal"
    assert last_payload(case) == {"text": "Checked the billing run."}
    with pytest.raises(FieldErrors):
        services.case_note_add(case=case, text=" ", actor=Actor.staff(agent), now=LATER)
    assert len(events(case)) == 2


def test_assign_and_reassign(case, agent, supervisor) -> None:
    services.case_assign(case=case, assignee=agent, actor=Actor.staff(supervisor), now=LATER)
    services.case_assign(case=case, assignee=supervisor, actor=Actor.staff(supervisor), now=LATER)
    assert last_payload(case) == {
        "assignee_id": supervisor.pk,
        "assignee_name": "Sue Visor",
        "previous_assignee_id": agent.pk,
        "previous_assignee_name": "Alice Agent",
    }
    with pytest.raises(DomainError, match="already assigned"):
        services.case_assign(
            case=case, assignee=supervisor, actor=Actor.staff(supervisor), now=LATER
        )
    assert [e.kind for e in events(case)] == ["case_opened", "case_assigned", "case_assigned"]
    assert Case.objects.get(pk=case.pk).assignee == supervisor


def test_assign_to_staff_of_another_organisation_is_refused(case, agent, outsider) -> None:
    with pytest.raises(FieldErrors, match="not active staff"):
        services.case_assign(case=case, assignee=outsider, actor=Actor.staff(agent), now=LATER)
    assert Case.objects.get(pk=case.pk).assignee is None and len(events(case)) == 1


def test_transition_writes_status_and_event(case, agent) -> None:
    services.case_transition(
        case=case,
        to="acknowledged",
        actor=Actor.staff(agent),
        now=LATER,
        reason="Acknowledgement letter sent",
    )
    assert Case.objects.get(pk=case.pk).status == "acknowledged"
    assert last_payload(case) == {
        "from_status": "received",
        "to_status": "acknowledged",
        "reason": "Acknowledgement letter sent",
    }


def test_illegal_transition_changes_nothing(case, agent) -> None:
    with pytest.raises(InvalidTransition, match="from 'received' to 'resolution_proposed'"):
        services.case_transition(
            case=case, to="resolution_proposed", actor=Actor.staff(agent), now=LATER
        )
    assert Case.objects.get(pk=case.pk).status == "received" and len(events(case)) == 1
    services.case_transition(case=case, to="resolved", actor=Actor.staff(agent), now=LATER)
    with pytest.raises(DomainError, match="use case_close"):
        services.case_transition(case=case, to="closed", actor=Actor.staff(agent), now=LATER)
    assert Case.objects.get(pk=case.pk).status == "resolved" and len(events(case)) == 2


def _to_investigating(case, agent):
    for status in ("acknowledged", "investigating"):
        case = services.case_transition(case=case, to=status, actor=Actor.staff(agent), now=LATER)
    return case


def test_offer_accept_and_close(case, agent) -> None:
    case = _to_investigating(case, agent)
    offer = services.case_offer_record(
        case=case,
        redress="refund",
        amount="84.20",
        currency="gbp",
        description="Refund of the duplicate charge",
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert Case.objects.get(pk=case.pk).status == "resolution_proposed"
    assert last_payload(case) == {
        "offer_id": offer.pk,
        "redress": "refund",
        "amount": "84.20",
        "currency": "GBP",
        "description": "Refund of the duplicate charge",
        "from_status": "investigating",
        "to_status": "resolution_proposed",
    }
    with pytest.raises(DomainError, match="awaiting the customer's answer"):
        services.case_offer_record(
            case=case, redress="apology", actor=Actor.staff(agent), now=LATER
        )
    services.case_offer_answer(
        offer=offer,
        accepted=True,
        comment="Thanks",
        actor=Actor.customer("Dana Whitfield"),
        now=LATER,
    )
    assert ResolutionOffer.objects.get().answer == "accepted"
    assert last_payload(case)["to_status"] == "resolved"
    assert events(case)[-1].actor_kind == "customer" and events(case)[-1].actor_id is None
    with pytest.raises(DomainError, match="already accepted"):
        services.case_offer_answer(offer=offer, accepted=False, actor=Actor.staff(agent), now=LATER)
    services.case_close(
        case=case,
        outcome="upheld",
        root_cause_code="systems",
        root_cause="Duplicate billing run",
        summary="Refunded",
        actor=Actor.staff(agent),
        now=LATER,
    )
    closed = Case.objects.get(pk=case.pk)
    assert (closed.status, closed.outcome, closed.root_cause, closed.closed_at) == (
        "closed",
        "upheld",
        "Duplicate billing run",
        LATER,
    )
    assert last_payload(case) == {
        "outcome": "upheld",
        "root_cause": "Duplicate billing run",
        "summary": "Refunded",
        "from_status": "resolved",
        "root_cause_code": "systems",
    }
    assert [e.kind for e in events(case)][-3:] == [
        "resolution_offered",
        "resolution_answered",
        "case_closed",
    ]
    assert ledger_verify(reference=case.reference).ok


def test_offer_rejected_goes_back_to_investigation(case, agent) -> None:
    case = _to_investigating(case, agent)
    offer = services.case_offer_record(
        case=case, redress="apology", actor=Actor.staff(agent), now=LATER
    )
    services.case_offer_answer(
        offer=offer, accepted=False, comment="Not enough", actor=Actor.customer("Dana"), now=LATER
    )
    assert Case.objects.get(pk=case.pk).status == "investigating"


def test_offer_input_errors(case, agent) -> None:
    case = _to_investigating(case, agent)
    with pytest.raises(FieldErrors, match="needs an amount"):
        services.case_offer_record(case=case, redress="refund", actor=Actor.staff(agent), now=LATER)
    with pytest.raises(FieldErrors, match="redress"):
        services.case_offer_record(
            case=case,
            redress="cash",
            amount="1",
            currency="GBP",
            actor=Actor.staff(agent),
            now=LATER,
        )


def test_offer_needs_a_status_that_allows_it(case, agent) -> None:
    with pytest.raises(InvalidTransition):
        services.case_offer_record(
            case=case, redress="apology", actor=Actor.staff(agent), now=LATER
        )
    assert ResolutionOffer.objects.count() == 0 and len(events(case)) == 1


def test_close_needs_resolution_and_root_cause(case, agent) -> None:
    with pytest.raises(InvalidTransition, match="from 'received' to 'closed'"):
        services.case_close(
            case=case,
            outcome="upheld",
            root_cause_code="systems",
            actor=Actor.staff(agent),
            now=LATER,
        )
    with pytest.raises(FieldErrors, match="root_cause_code"):
        services.case_close(
            case=case, outcome="upheld", root_cause="x", actor=Actor.staff(agent), now=LATER
        )
    with pytest.raises(FieldErrors, match="outcome"):
        services.case_close(
            case=case,
            outcome="won",
            root_cause_code="systems",
            actor=Actor.staff(agent),
            now=LATER,
        )
    assert len(events(case)) == 1


def test_withdraw_close_reopen(case, agent) -> None:
    actor = Actor.staff(agent)
    services.case_transition(case=case, to="withdrawn", actor=actor, now=LATER)
    services.case_close(
        case=case,
        outcome="not_upheld",
        root_cause_code="no_fault_found",
        root_cause="Customer withdrew",
        actor=actor,
        now=LATER,
    )
    services.case_transition(
        case=case, to="reopened", actor=actor, now=LATER, reason="New evidence"
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.REOPENED
    assert ledger_verify(reference=case.reference).ok


def test_evidence_attach(case, agent) -> None:
    data = b"%PDF-1.4 fake statement"
    ev = services.case_evidence_attach(
        case=case,
        filename="../../etc/statement.pdf",
        stream=io.BytesIO(data),
        description="March statement",
        actor=Actor.staff(agent),
        now=LATER,
    )
    assert Evidence.objects.get() == ev
    assert ev.filename == "statement.pdf" and ev.size == len(data)
    payload = last_payload(case)
    assert payload["sha256"] == ev.sha256 and payload["content_type"] == "application/pdf"
    from plaint.cases.evidence_store import blob_open

    with blob_open(ev.sha256) as fh:
        assert fh.read() == data


def test_every_service_writes_exactly_one_event(case, agent) -> None:
    actor = Actor.staff(agent)
    calls = [
        lambda c: services.case_assign(case=c, assignee=agent, actor=actor, now=LATER),
        lambda c: services.case_note_add(case=c, text="n", actor=actor, now=LATER),
        lambda c: services.case_contact_log(
            case=c, contact_at=NOW, channel="email", direction="inbound", actor=actor, now=LATER
        ),
        lambda c: services.case_evidence_attach(
            case=c, filename="a.txt", stream=io.BytesIO(b"hi"), actor=actor, now=LATER
        ),
        lambda c: services.case_transition(case=c, to="investigating", actor=actor, now=LATER),
        lambda c: services.case_offer_record(case=c, redress="apology", actor=actor, now=LATER),
    ]
    for call in calls:
        before = CaseEvent.objects.count()
        call(case)
        assert CaseEvent.objects.count() == before + 1
    offer = ResolutionOffer.objects.get()
    before = CaseEvent.objects.count()
    services.case_offer_answer(offer=offer, accepted=True, actor=actor, now=LATER)
    services.case_close(
        case=case, outcome="upheld", root_cause_code="systems", actor=actor, now=LATER
    )
    assert CaseEvent.objects.count() == before + 2
    assert [e.seq for e in events(case)] == list(range(1, 10))
    assert ledger_verify().ok


def test_amounts_are_kept_to_the_cent(case, agent) -> None:
    case = _to_investigating(case, agent)
    offer = services.case_offer_record(
        case=case, redress="credit", amount=226, currency="usd", actor=Actor.staff(agent), now=LATER
    )
    assert last_payload(case)["amount"] == "226.00" and offer.currency == "USD"
