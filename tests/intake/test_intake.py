from __future__ import annotations

from datetime import UTC, datetime

import pytest

from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import CustomerDetails
from plaint.deadlines.models import CaseDeadline
from plaint.intake import services as intake
from plaint.triage.selectors import legal_review_queue
from tests.conftest import NOW

RECEIVED = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def receive(org, **extra):
    fields = {
        "organisation": org,
        "customer": CustomerDetails(name="Dana Whitfield"),
        "channel": "email",
        "received_at": RECEIVED,
        "description": "You charged my credit card twice for the same order. If this is not "
        "refunded I will file a complaint with the CFPB and speak to my attorney.",
        "regime": "UK-FCA-DISP",
        "actor": Actor.system("test"),
        "now": NOW,
    }
    fields.update(extra)
    return intake.complaint_receive(**fields)


def test_intake_opens_derives_and_triages(org) -> None:
    result = receive(org)
    assert result.problem == "" and result.triage is not None
    kinds = list(
        CaseEvent.objects.filter(case=result.case).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[0] == "case_opened"
    assert "deadline_set" in kinds and "triage_suggested" in kinds
    assert "legal_review_requested" in kinds  # litigation and regulator words
    assert CaseDeadline.objects.filter(case=result.case).count() == 4
    assert result.case in {r.case for r in legal_review_queue(organisation=org)}


def test_a_failing_triage_loses_nothing(org, monkeypatch) -> None:
    def broken(**kwargs):
        raise OSError("model file unreadable")

    monkeypatch.setattr(intake, "triage_run", broken)
    result = receive(org)
    assert result.triage is None and "model file unreadable" in result.problem
    assert Case.objects.filter(pk=result.case.pk).exists()
    assert CaseDeadline.objects.filter(case=result.case).count() == 4


def test_bad_input_is_refused_before_anything_is_written(org) -> None:
    from plaint.domain.errors import FieldErrors

    with pytest.raises(FieldErrors):
        receive(org, description="")
    assert Case.objects.count() == 0
