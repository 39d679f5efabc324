"""What the deadline engine needs to know about a case, read from its ledger."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from plaint.accounts.models import ClosureDay, Organisation
from plaint.cases.models import Case, CaseEvent
from plaint.domain.deadlines.calendars import WorkCalendar, calendar_for
from plaint.domain.deadlines.engine import CalendarResolver
from plaint.domain.deadlines.model import Facts, Regime
from plaint.domain.deadlines.regimes import regime_get
from plaint.domain.events import EventKind

_STATUS_EVENTS = {
    EventKind.STATUS_CHANGED.value,
    EventKind.RESOLUTION_OFFERED.value,
    EventKind.RESOLUTION_ANSWERED.value,
}
FACT_KINDS = (
    EventKind.CASE_OPENED.value,
    EventKind.MILESTONE_RECORDED.value,
    EventKind.CASE_CLOSED.value,
    *_STATUS_EVENTS,
)


def case_regimes(case: Case) -> list[Regime]:
    """The organisation's house service levels, then the case's own regime, if any."""
    regimes = [regime_get("HOUSE")]
    if case.regime:
        regimes.append(regime_get(case.regime))
    return regimes


def facts_build(
    case: Case, organisation: Organisation, events: list[tuple[str, datetime, str]]
) -> Facts:
    """Facts from the case row and its (kind, occurred_at, payload) fact events."""
    milestones: dict[str, list[datetime]] = {"complaint_received": [case.received_at]}
    zone = ZoneInfo(organisation.time_zone)
    for kind, occurred_at, payload_text in events:
        payload = json.loads(payload_text)
        if kind == EventKind.MILESTONE_RECORDED:
            moment = datetime.fromisoformat(payload["at"])
            milestones.setdefault(payload["milestone"], []).append(moment)
        elif kind in _STATUS_EVENTS:
            milestones.setdefault(f"status:{payload['to_status']}", []).append(occurred_at)
        elif kind == EventKind.CASE_CLOSED:
            milestones.setdefault("status:closed", []).append(occurred_at)
        elif kind == EventKind.CASE_OPENED and case.regime == "US-CFPB":
            sent = payload.get("source_details", {}).get("sent_to_company_on")
            moment = (
                datetime.combine(date.fromisoformat(sent), time(0), tzinfo=zone)
                if sent
                else case.received_at
            )
            milestones["cfpb_sent_to_company"] = [moment]
    return Facts(
        milestones=milestones,
        parameters={
            "sla_acknowledge_days": organisation.sla_acknowledge_days,
            "sla_response_days": organisation.sla_response_days,
        },
    )


def fact_events(case: Case) -> list[tuple[str, datetime, str]]:
    return list(
        CaseEvent.objects.filter(case=case, kind__in=FACT_KINDS)
        .order_by("seq")
        .values_list("kind", "occurred_at", "payload")
    )


@lru_cache(maxsize=64)
def _calendar(name: str, closures: tuple[tuple[date, str], ...]) -> WorkCalendar:
    return calendar_for(name, closures)


def calendars_for(organisation: Organisation) -> CalendarResolver:
    """Resolve a rule's calendar name: "organisation" is the organisation's holiday
    calendar plus its closure days; any other name is a holidays-package calendar."""
    closures = tuple(
        ClosureDay.objects.filter(organisation=organisation)
        .order_by("day")
        .values_list("day", "reason")
    )

    def resolve(name: str) -> WorkCalendar:
        if name == "organisation":
            return _calendar(organisation.holiday_calendar, closures)
        return _calendar(name, ())

    return resolve
