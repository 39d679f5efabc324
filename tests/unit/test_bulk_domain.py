from __future__ import annotations

import pytest

from plaint.domain.bulk import (
    BulkAction,
    BulkRequest,
    CaseFacts,
    bulk_plan,
    bulk_refusal,
    next_chunk,
    runs_in_background,
)
from plaint.domain.errors import FieldErrors


def facts(ref: str, status: str = "received", priority: str = "normal", who: int | None = None):
    return CaseFacts(reference=ref, status=status, priority=priority, assignee_id=who)


def test_a_transition_over_a_mixed_selection_refuses_the_cases_it_cannot_move():
    plan = bulk_plan(
        BulkRequest(BulkAction.TRANSITION, to="acknowledged"),
        [facts("A"), facts("B", status="resolved"), facts("C")],
    )
    assert plan.legal == ("A", "C")
    assert plan.refused == (
        ("B", "cannot move from resolved to acknowledged (it may move to: closed, reopened)"),
    )


def test_assign_and_priority_refuse_cases_already_so():
    assert bulk_refusal(BulkRequest(BulkAction.ASSIGN, assignee_id=7), facts("A", who=7)) == (
        "already assigned to that person"
    )
    assert bulk_refusal(BulkRequest(BulkAction.ASSIGN), facts("A")) == "already unassigned"
    assert bulk_refusal(BulkRequest(BulkAction.ASSIGN, assignee_id=7), facts("A", who=3)) is None
    request = BulkRequest(BulkAction.PRIORITY, priority="high")
    assert bulk_refusal(request, facts("A", priority="high")) == "already has priority high"
    assert bulk_refusal(request, facts("A")) is None


def test_a_note_and_an_export_are_legal_on_every_case():
    cases = [facts("A", status="closed"), facts("B")]
    assert bulk_plan(BulkRequest(BulkAction.NOTE, text="Checked"), cases).legal == ("A", "B")
    assert bulk_plan(BulkRequest(BulkAction.EXPORT), cases).refused == ()


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (BulkRequest(BulkAction.PRIORITY, priority="huge"), "priority"),
        (BulkRequest(BulkAction.TRANSITION, to="nowhere"), "to"),
        (BulkRequest(BulkAction.TRANSITION, to="closed"), "to"),
        (BulkRequest(BulkAction.NOTE, text="  "), "text"),
    ],
)
def test_parameters_wrong_for_every_case_are_refused_by_field(request_, field):
    with pytest.raises(FieldErrors) as caught:
        bulk_plan(request_, [facts("A")])
    assert list(caught.value.errors) == [field]


def test_the_background_threshold_and_resumable_chunks():
    assert not runs_in_background(500, over=500)
    assert runs_in_background(501, over=500)
    assert next_chunk(10, done=0, size=4) == range(4)
    assert next_chunk(10, done=8, size=4) == range(8, 10)
    assert next_chunk(10, done=10, size=4) == range(10, 10)
    with pytest.raises(ValueError):
        next_chunk(10, done=0, size=0)
