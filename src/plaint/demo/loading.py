"""Load the demo organisation: staff logins and a few hundred real CFPB complaints, dated
relative to today and walked through the real services to a spread of statuses, so that
every queue of the desk has something in it.

The complaints' text is the CFPB's; their dates are shifted, all by the same number of
days, so that the newest was received yesterday. They are imported the way an
organisation imports its backlog (`plaint.intake.bulk`: deadlines and triage derived at
once), but nothing is recorded as already missed: the walk then takes older cases further
through the desk than recent ones, recording with their own dates the steps taken in time
(acknowledgement, company response, final response), as on a real desk. What it leaves
undone is overdue today, its missed deadlines recorded once as history (nobody notified).
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import organisation_create, roles_ensure, staff_create
from plaint.cases import services
from plaint.cases.importing import ImportSummary
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.deadlines.services import deadlines_history_record, organisation_deadlines_refresh
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.vocabulary import Channel, Direction, Outcome, RedressKind
from plaint.intake.bulk import BulkReport, complaints_import

DEMO_SLUG = "demo"
DEMO_PASSWORD = "plaint-demo"  # noqa: S105 - printed on screen for the demo logins
DEMO_CSV = Path(__file__).with_name("cfpb_demo.csv")
DEMO_TIME_ZONE = "America/New_York"
DATE_COLUMNS = ("Date received", "Date sent to company")
DEMO_STAFF: tuple[tuple[str, str, str, Role], ...] = (
    ("agent", "Alex", "Agent", Role.AGENT),
    ("agent2", "Sam", "Okafor", Role.AGENT),
    ("supervisor", "Priya", "Supervisor", Role.SUPERVISOR),
    ("legal", "Lee", "Counsel", Role.LEGAL_REVIEWER),
    ("admin", "Ada", "Admin", Role.ADMIN),
)


@dataclass(frozen=True)
class DemoResult:
    organisation: Organisation
    created: bool
    imported: ImportSummary | None
    derived: BulkReport | None = None


def demo_csv(*, today: date, source: Path = DEMO_CSV) -> str:
    """The demo sample as CSV text, every date moved by the same number of days so that
    the newest complaint was received the day before `today`. Nothing else changes."""
    with source.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    newest = max(date.fromisoformat(row["Date received"]) for row in rows)
    shift = today - timedelta(days=1) - newest
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        for column in DATE_COLUMNS:
            if row.get(column):
                row[column] = (date.fromisoformat(row[column]) + shift).isoformat()
        writer.writerow(row)
    return out.getvalue()


def demo_load(*, now: datetime) -> DemoResult:
    """Create the demo organisation once, dated relative to `now` (the command passes the
    clock); later calls change nothing."""
    roles_ensure()
    existing = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return DemoResult(existing, created=False, imported=None)
    with transaction.atomic():
        org = organisation_create(
            slug=DEMO_SLUG,
            name="Demo Consumer Finance Desk",
            now=now,
            reference_prefix="PL",
            time_zone=DEMO_TIME_ZONE,
            country="US",
        )
        staff = [
            staff_create(
                organisation=org,
                username=username,
                password=DEMO_PASSWORD,
                roles=[role],
                first_name=first,
                last_name=last,
                email=f"{username}@demo.plaint.invalid",
                now=now,
            )
            for username, first, last, role in DEMO_STAFF
        ]
    today = now.astimezone(ZoneInfo(DEMO_TIME_ZONE)).date()
    # Nothing is recorded as already missed at import: the walk below records, with
    # their own dates, the steps a desk took in time; what it leaves undone shows as
    # overdue, as it would on a live desk.
    summary, derived = complaints_import(
        organisation=org, source=io.StringIO(demo_csv(today=today)), now=now, record_past=False
    )
    agents = [u for u in staff if u.groups.filter(name=Role.AGENT.value).exists()]
    for case in Case.objects.filter(organisation=org).select_related("customer").order_by("id"):
        _walk(case, agents, now)
    organisation_deadlines_refresh(organisation=org, now=now)
    # What the desk missed before today is history, recorded once without raising the alarm.
    deadlines_history_record(organisation=org, now=now)
    return DemoResult(org, created=True, imported=summary, derived=derived)


def _stage(case: Case, now: datetime) -> int:
    """How far through the desk the case has come, 0..99: a stable pseudo-random number
    per case (so the demo is the same every time), plus more the older the case is."""
    spread = int(hashlib.sha256(case.external_id.encode()).hexdigest()[:8], 16) % 100
    age = (now - case.received_at).days
    if age < 14:
        return spread // 2  # this fortnight's: received, acknowledged or investigating
    if age < 45:
        return min(99, spread + 10)
    if age < 120:
        return 40 + spread // 2  # at least investigating
    return 75 + spread // 4  # the customer has answered an offer


def _walk(case: Case, agents: list[User], now: datetime) -> None:
    stage = _stage(case, now)
    if stage < 20:
        return  # left as received: the unassigned queue
    agent = agents[stage % len(agents)]
    actor = Actor.staff(agent)
    case = services.case_assign(case=case, assignee=agent, actor=actor, now=now)
    _milestone(case, "acknowledgement_sent", days=1, actor=actor, now=now)
    case = services.case_transition(
        case=case, to=CaseStatus.ACKNOWLEDGED, actor=actor, now=now, reason="Acknowledgement sent"
    )
    if stage < 35:
        return
    services.case_contact_log(
        case=case,
        contact_at=min(case.received_at + timedelta(days=2, hours=10), now),
        channel=Channel.PHONE,
        direction=Direction.OUTBOUND,
        representative=agent.display_name,
        ticket_number=f"T-{case.external_id}",
        wait_minutes=stage % 25,
        summary="Called the customer to understand the complaint.",
        actor=actor,
        now=now,
    )
    case = services.case_transition(case=case, to=CaseStatus.INVESTIGATING, actor=actor, now=now)
    if stage < 50:
        return
    if stage < 60:
        services.case_transition(
            case=case,
            to=CaseStatus.AWAITING_CUSTOMER,
            actor=actor,
            now=now,
            reason="Asked the customer for statements",
        )
        return
    if stage < 65:
        services.case_transition(
            case=case,
            to=CaseStatus.ESCALATED,
            actor=actor,
            now=now,
            reason="Customer asked for a manager",
        )
        return
    _milestone(case, "company_response_sent", days=10, actor=actor, now=now)
    offer = services.case_offer_record(
        case=case,
        redress=RedressKind.REFUND if stage % 2 else RedressKind.APOLOGY,
        amount=Decimal(25 + stage * 3) if stage % 2 else None,
        currency="USD" if stage % 2 else "",
        description="Refund of the disputed fees." if stage % 2 else "A written apology.",
        actor=actor,
        now=now,
    )
    if stage < 75:
        return
    services.case_offer_answer(
        offer=offer, accepted=stage % 5 != 0, actor=Actor.customer(case.customer.name), now=now
    )
    case.refresh_from_db()
    if case.status != CaseStatus.RESOLVED:
        return
    _milestone(case, "final_response_sent", days=20, actor=actor, now=now)
    if stage < 85:
        return
    services.case_close(
        case=case,
        outcome=Outcome.UPHELD if stage % 2 else Outcome.PARTLY_UPHELD,
        root_cause_code="pricing_fees",
        root_cause="Fees applied without clear notice",
        summary="Customer accepted the offer.",
        actor=actor,
        now=now,
    )


def _milestone(case: Case, milestone: str, *, days: int, actor: Actor, now: datetime) -> None:
    """Record a step the desk took `days` after the complaint arrived (or now, for a case
    younger than that): the demo's history, recorded today with the day it happened."""
    at = min(case.received_at + timedelta(days=days), now)
    services.case_milestone_record(
        case=case, milestone=milestone, at=at, actor=actor, now=now, note="Demo history"
    )
