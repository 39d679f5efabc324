"""Reads of deadlines, scoped to one case or one organisation."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.deadlines.facts import calendars_for, case_regimes, fact_events, facts_build
from plaint.deadlines.models import CaseDeadline
from plaint.domain.deadlines.engine import derive
from plaint.domain.deadlines.model import ComputedDeadline


def case_deadlines(*, case: Case) -> QuerySet[CaseDeadline]:
    return CaseDeadline.objects.filter(organisation_id=case.organisation_id, case=case).order_by(
        "due_at", "key"
    )


def case_deadline_derivation(*, case: Case) -> list[ComputedDeadline]:
    """Every rule that applies to the case, derived afresh with each step of the count."""
    org = case.organisation
    return derive(
        case_regimes(case),
        facts_build(case, org, fact_events(case)),
        zone=ZoneInfo(org.time_zone),
        close_of_business=org.close_of_business,
        calendars=calendars_for(org),
    )


def deadlines_due(*, organisation: Organisation) -> QuerySet[CaseDeadline]:
    """Open deadlines of the organisation, soonest first."""
    return CaseDeadline.objects.filter(
        organisation=organisation, state=CaseDeadline.State.OPEN
    ).order_by("due_at")
