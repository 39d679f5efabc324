"""Item 1: root cause and outcome are coded when a case closes; old closures still verify."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db import transaction

from plaint.cases import services
from plaint.cases.ledger import Actor, event_append, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.cases.selectors import case_timeline
from plaint.cases.taxonomy import root_cause_labels, root_causes
from plaint.domain import events as ev
from plaint.domain.errors import FieldErrors
from plaint.domain.rootcauses import (
    DEFAULT_ROOT_CAUSES,
    CfpbResponse,
    cfpb_response,
    code_from_label,
)
from plaint.domain.timeline import describe
from plaint.reports import services as report_services
from tests.conftest import NOW, open_case

LATER = NOW + timedelta(days=3)


def _closed_text(case: Case) -> str:
    [closed] = [e for e in case_timeline(case=case) if e.event.kind == "case_closed"]
    return describe(closed.payload)


def resolved(org, agent) -> Case:
    case = open_case(org, agent)
    services.case_transition(case=case, to="resolved", actor=Actor.staff(agent), now=LATER)
    return Case.objects.get(pk=case.pk)


def test_default_taxonomy_is_the_issue_list(org) -> None:
    assert [c.label for c in root_causes(organisation=org)] == [
        "Product design",
        "Process failure",
        "Staff error",
        "Communication",
        "Systems",
        "Third party",
        "Pricing and fees",
        "Policy",
        "No fault found",
    ]


def test_close_requires_a_root_cause_code_and_an_outcome(org, agent) -> None:
    case = resolved(org, agent)
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(FieldErrors) as missing:
        services.case_close(
            case=case,
            outcome="",
            root_cause="Billing ran twice",
            actor=Actor.staff(agent),
            now=LATER,
        )
    assert missing.value.errors == {
        "outcome": "is required: choose upheld, partly upheld or not upheld",
        "root_cause_code": "is required: choose a root cause",
    }
    with pytest.raises(FieldErrors, match="'gremlins' is not one of: product_design"):
        services.case_close(
            case=case,
            outcome="upheld",
            root_cause_code="gremlins",
            actor=Actor.staff(agent),
            now=LATER,
        )
    assert CaseEvent.objects.filter(case=case).count() == before
    services.case_close(
        case=case,
        outcome="upheld",
        root_cause_code="systems",
        root_cause="Billing ran twice",
        actor=Actor.staff(agent),
        now=LATER,
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.root_cause_code, case.root_cause) == (
        "closed",
        "upheld",
        "systems",
        "Billing ran twice",
    )
    payload = json.loads(CaseEvent.objects.filter(case=case).latest("seq").clear_payload)
    assert payload["root_cause_code"] == "systems"
    assert _closed_text(case) == ("Closed: upheld; root cause: systems (Billing ran twice).")


def test_an_edited_taxonomy_is_what_closing_accepts(org, other_org, agent, supervisor) -> None:
    report_services.root_cause_add(
        organisation=org, label="Courier damage", actor=supervisor, now=NOW
    )
    report_services.root_cause_retire(organisation=org, code="policy", actor=supervisor, now=NOW)
    codes = [c.code for c in root_causes(organisation=org)]
    assert codes == [*(c.code for c in DEFAULT_ROOT_CAUSES if c.code != "policy"), "courier_damage"]
    assert len(root_causes(organisation=other_org)) == len(DEFAULT_ROOT_CAUSES)
    assert root_cause_labels(organisation=org)["policy"] == "Policy"  # retired keeps its label
    case = resolved(org, agent)
    with pytest.raises(FieldErrors, match="'policy' is not one of"):
        services.case_close(
            case=case,
            outcome="upheld",
            root_cause_code="policy",
            actor=Actor.staff(agent),
            now=LATER,
        )
    services.case_close(
        case=case,
        outcome="partly_upheld",
        root_cause_code="courier_damage",
        actor=Actor.staff(agent),
        now=LATER,
    )


def test_taxonomy_edits_refuse_bad_input(org, supervisor) -> None:
    with pytest.raises(FieldErrors, match="label: is required"):
        report_services.root_cause_add(organisation=org, label="  ", actor=supervisor, now=NOW)
    with pytest.raises(FieldErrors, match="already has a root cause coded 'systems'"):
        report_services.root_cause_add(organisation=org, label="Systems", actor=supervisor, now=NOW)
    with pytest.raises(FieldErrors, match="'nope' is not a root cause"):
        report_services.root_cause_retire(organisation=org, code="nope", actor=supervisor, now=NOW)
    assert code_from_label("Pricing & fees!") == "pricing_fees"
    assert code_from_label("3rd party") == "cause_3rd_party"


@dataclasses.dataclass(frozen=True, kw_only=True)
class _OldCaseClosed(ev.Payload):
    """The close event as it was written before root causes were coded."""

    kind: ClassVar[ev.EventKind] = ev.EventKind.CASE_CLOSED
    outcome: str
    root_cause: str
    summary: str
    from_status: str


def test_closures_written_before_coding_still_verify_and_show_as_uncoded(org, agent) -> None:
    case = resolved(org, agent)
    with transaction.atomic():
        locked = services.case_lock(case)
        locked.status, locked.outcome, locked.root_cause = "closed", "upheld", "Old free text"
        locked.closed_at = LATER
        event_append(
            case=locked,
            payload=_OldCaseClosed(
                outcome="upheld", root_cause="Old free text", summary="", from_status="resolved"
            ),
            actor=Actor.staff(agent),
            now=LATER,
            changed=("status", "outcome", "root_cause", "closed_at"),
        )
    stored = CaseEvent.objects.filter(case=case).latest("seq").clear_payload
    assert "root_cause_code" not in stored
    assert ledger_verify(reference=case.reference).ok
    out = io.StringIO()
    call_command("verify", stdout=out)
    assert "FAIL" not in out.getvalue().upper()
    assert _closed_text(case) == ("Closed: upheld; root cause: uncoded (Old free text).")
    assert root_cause_labels(organisation=org)[Case.objects.get(pk=case.pk).root_cause_code] == (
        "Uncoded"
    )


@pytest.mark.parametrize(
    ("outcome", "accepted", "expected"),
    [
        ("upheld", [("refund", Decimal("10.00"))], CfpbResponse.MONETARY),
        ("partly_upheld", [("apology", None), ("credit", Decimal("5"))], CfpbResponse.MONETARY),
        ("upheld", [("replacement", None)], CfpbResponse.NON_MONETARY),
        ("upheld", [("apology", None)], CfpbResponse.EXPLANATION),
        ("upheld", [], CfpbResponse.EXPLANATION),
        ("not_upheld", [], CfpbResponse.EXPLANATION),
        ("not_upheld", [("refund", Decimal("0"))], CfpbResponse.EXPLANATION),
    ],
)
def test_cfpb_response_is_derived_from_outcome_and_accepted_redress(
    outcome, accepted, expected
) -> None:
    assert cfpb_response(outcome, accepted) is expected
