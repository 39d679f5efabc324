"""Retention periods as data with their source; legal holds as events."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.retention import DISP_1_9, POLICY, retention_ends, retention_rule
from plaint.records.retention import case_on_hold, legal_hold_lift, legal_hold_place
from tests.conftest import NOW, open_case


def test_disp_counts_three_years_from_receipt_and_policy_from_closure() -> None:
    assert retention_rule("UK-FCA-DISP") is DISP_1_9 and "DISP 1.9.1R" in DISP_1_9.source
    assert retention_rule("US-CFPB") is POLICY and POLICY.kind == "policy"
    assert retention_ends(DISP_1_9, received_on=date(2024, 2, 29), closed_on=date(2024, 5, 1)) == (
        date(2027, 2, 28)
    )
    assert retention_ends(POLICY, received_on=date(2024, 1, 1), closed_on=date(2024, 5, 1)) == (
        date(2030, 5, 1)
    )
    assert retention_ends(DISP_1_9, received_on=date(2020, 1, 1), closed_on=None) is None
    # closed after the three years: never before closure
    assert retention_ends(DISP_1_9, received_on=date(2020, 1, 1), closed_on=date(2024, 1, 1)) == (
        date(2024, 1, 1)
    )


def _closed(org, agent):  # type: ignore[no-untyped-def]
    case = open_case(org, agent)
    actor = Actor.staff(agent)
    services.case_transition(case=case, to=CaseStatus.RESOLVED, actor=actor, now=NOW)
    services.case_close(
        case=case, outcome="upheld", root_cause_code="staff_error", actor=actor, now=NOW
    )
    return case


def test_holds_are_events_and_stop_erasure(org, agent) -> None:
    case = _closed(org, agent)
    actor = Actor.staff(agent)
    with pytest.raises(FieldErrors):
        legal_hold_place(case=case, reason=" ", actor=actor, now=NOW)
    legal_hold_place(case=case, reason="County court claim", actor=actor, now=NOW)
    assert case_on_hold(case)
    with pytest.raises(DomainError, match="already"):
        legal_hold_place(case=case, reason="again", actor=actor, now=NOW)
    out = io.StringIO()
    call_command("retention", "run", "--org", "acme", "--today", "2029-03-02", stdout=out)
    assert "0 case(s) past their retention period, 1 more on legal hold" in out.getvalue()
    assert f"HELD {case.reference}: kept until 2029-03-01" in out.getvalue()
    legal_hold_lift(case=case, reason="Settled", actor=actor, now=NOW + timedelta(days=1))
    assert not case_on_hold(case)
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[-2:] == ["legal_hold_placed", "legal_hold_lifted"]
    out = io.StringIO()
    call_command("retention", "run", "--today", "2029-02-28", stdout=out)
    assert "acme: 0 case(s)" in out.getvalue()
    out = io.StringIO()
    call_command("retention", "run", "--today", "2029-03-01", stdout=out)
    assert "acme: 1 case(s) past their retention period" in out.getvalue()
    assert "DISP 1.9.1R" in out.getvalue()


def test_hold_cli(org, agent) -> None:
    case = _closed(org, agent)
    out = io.StringIO()
    call_command("retention", "hold", case.reference, "--reason", "FOS referral", stdout=out)
    assert "on legal hold" in out.getvalue()
    with pytest.raises(CommandError, match="already on legal hold"):
        call_command("retention", "hold", case.reference, "--reason", "again")
    call_command("retention", "lift", case.reference, "--reason", "closed", stdout=out)
    with pytest.raises(CommandError, match="--today"):
        call_command("retention", "run", "--today", "soon")


def test_a_hold_on_the_customer_covers_every_case_of_theirs(org, agent) -> None:
    from plaint.records.retention import customer_hold_lift, customer_hold_place, customer_on_hold

    first = _closed(org, agent)
    second = open_case(org, agent)
    second.customer = first.customer
    second.save(update_fields=["customer"])
    other = _closed(org, agent)  # another customer
    actor = Actor.staff(agent)
    customer = first.customer
    with pytest.raises(FieldErrors):
        customer_hold_place(customer=customer, reason="\x00", actor=actor, now=NOW)
    assert CaseEvent.objects.filter(kind="customer_hold_placed").count() == 0
    assert customer_hold_place(customer=customer, reason="Subject's claim", actor=actor, now=NOW)
    assert customer_on_hold(customer) and not customer_on_hold(other.customer)
    assert not case_on_hold(first)  # the case's own hold is separate
    placed = CaseEvent.objects.filter(kind="customer_hold_placed")
    assert sorted(placed.values_list("case_id", flat=True)) == [first.pk, second.pk]
    with pytest.raises(DomainError, match="already on legal hold"):
        customer_hold_place(customer=customer, reason="again", actor=actor, now=NOW)
    out = io.StringIO()
    call_command("retention", "run", "--org", "acme", "--today", "2029-03-02", stdout=out)
    assert "1 case(s) past their retention period, 1 more on legal hold" in out.getvalue()
    assert f"HELD {first.reference}" in out.getvalue()
    assert f"  {other.reference}" in out.getvalue()
    later = NOW + timedelta(days=1)
    assert customer_hold_lift(customer=customer, reason="Settled", actor=actor, now=later) == 2
    assert not customer_on_hold(customer)
    with pytest.raises(DomainError, match="not on legal hold"):
        customer_hold_lift(customer=customer, reason="again", actor=actor, now=later)
    out = io.StringIO()
    call_command(
        "retention", "hold", first.reference, "--customer", "--reason", "Again", stdout=out
    )
    assert "on legal hold (2 case(s))" in out.getvalue()
    assert customer_on_hold(customer)
    out = io.StringIO()
    call_command("retention", "run", "--org", "acme", "--today", "2029-03-02", stdout=out)
    assert "1 case(s) past their retention period, 1 more on legal hold" in out.getvalue()
    assert f"HELD {first.reference}" in out.getvalue()
    lines = [event.kind for event in CaseEvent.objects.filter(case=second).order_by("seq")]
    assert lines[-3:] == ["customer_hold_placed", "customer_hold_lifted", "customer_hold_placed"]
