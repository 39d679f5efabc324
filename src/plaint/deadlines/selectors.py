"""Reads of deadlines, scoped to one case or one organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
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


@dataclass(frozen=True)
class DeadlineView:
    """A deadline as the desk shows it."""

    row: CaseDeadline
    due_local: datetime | None
    end_of_day: bool
    overdue: bool
    business_days_left: int | None


def case_deadline_views(*, case: Case, now: datetime) -> list[DeadlineView]:
    """The case's deadlines with how long is left, counted in the organisation's business
    days, and whether each is overdue."""
    org = case.organisation
    zone = ZoneInfo(org.time_zone)
    calendar = calendars_for(org)("organisation")
    today = now.astimezone(zone).date()
    views = []
    for row in case_deadlines(case=case):
        local = row.due_at.astimezone(zone) if row.due_at else None
        end_of_day = local is not None and local.time() == time(0)
        last_day = (
            (local - timedelta(days=1)).date()
            if end_of_day and local
            else (local.date() if local else None)
        )
        open_ = row.state == CaseDeadline.State.OPEN
        overdue = row.state == CaseDeadline.State.MISSED or (
            open_ and row.due_at is not None and row.due_at <= now
        )
        left = (
            calendar.working_days_between(today, last_day)
            if open_ and last_day is not None and not overdue
            else None
        )
        views.append(DeadlineView(row, local, end_of_day, overdue, left))
    return views
