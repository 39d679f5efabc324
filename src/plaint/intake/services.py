"""The intake of a complaint, used by every interface that receives one (desk, portal,
e-mail, API): the case is opened and committed first, so that nothing is lost if a later
step fails; then its deadlines are derived and it is triaged with its nearest deadline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from plaint.cases.models import Case
from plaint.cases.services import case_open
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain.errors import DomainError
from plaint.triage.models import TriageRecord
from plaint.triage.services import triage_run

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Intake:
    case: Case
    triage: TriageRecord | None
    problem: str = ""  # why triage did not run, if it did not


def complaint_receive(*, now: datetime, **case_fields: Any) -> Intake:
    """Open a case (`case_open`'s arguments), derive its deadlines and triage it. If
    deriving or triage fails the case stays open and untriaged (the needs-triage queue and
    `plaint triage --all` pick it up); the problem is logged and returned."""
    case = case_open(now=now, **case_fields)
    try:
        case_deadlines_refresh(case=case, now=now)
        nearest = (
            CaseDeadline.objects.filter(case=case, state=CaseDeadline.State.OPEN, party="business")
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        record = triage_run(case=case, now=now, next_deadline=nearest)
    except (DomainError, OSError, ValueError) as exc:
        log.exception("Intake of %s: deadlines or triage failed", case.reference)
        return Intake(case=case, triage=None, problem=str(exc))
    return Intake(case=case, triage=record)


@transaction.atomic
def complaint_receive_queued(*, now: datetime, **case_fields: Any) -> Case:
    """Open a case (`case_open`'s arguments) and derive its deadlines in one transaction,
    with its ledger events and search entry, and queue its triage for the worker in that
    same transaction (so a committed case always has its triage queued). For interfaces
    that must answer fast (the API); the case shows in the needs-triage queue, as any
    untriaged case does, until `plaint worker` has run `intake_triage_task`."""
    from plaint.intake.tasks import intake_triage_task

    case = case_open(now=now, **case_fields)
    case_deadlines_refresh(case=case, now=now)
    intake_triage_task.enqueue(case_id=case.pk, now=now.isoformat())
    return case


def complaint_triage(*, case: Case, now: datetime) -> TriageRecord | None:
    """Triage a case opened by `complaint_receive_queued`, with its nearest deadline, as
    `complaint_receive` does in the request. A case already triaged, or closed since, is
    left as it is (None)."""
    if TriageRecord.objects.filter(case=case).exists():
        return None
    nearest = (
        CaseDeadline.objects.filter(case=case, state=CaseDeadline.State.OPEN, party="business")
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    try:
        return triage_run(case=case, now=now, next_deadline=nearest)
    except DomainError:
        log.info("Triage of %s not run: %s", case.reference, "closed or refused")
        return None
