"""Load the demo organisation: staff logins and a few hundred real CFPB complaints, walked
through the real services to a spread of statuses so every screen has something to show."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import organisation_create, roles_ensure, staff_create
from plaint.cases import services
from plaint.cases.importing import ImportSummary, cfpb_import
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.deadlines.services import organisation_deadlines_refresh
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.vocabulary import Channel, Direction, Outcome, RedressKind

DEMO_SLUG = "demo"
DEMO_PASSWORD = "plaint-demo"  # noqa: S105 - printed on screen for the demo logins
DEMO_CSV = Path(__file__).with_name("cfpb_demo.csv")
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


def demo_load(*, now: datetime) -> DemoResult:
    """Create the demo organisation once; later calls change nothing."""
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
            time_zone="America/New_York",
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
    summary = cfpb_import(organisation=org, source=DEMO_CSV, now=now)
    agents = [u for u in staff if u.groups.filter(name=Role.AGENT.value).exists()]
    for case in Case.objects.filter(organisation=org).select_related("customer").order_by("id"):
        _walk(case, agents, now)
    organisation_deadlines_refresh(organisation=org, now=now)
    return DemoResult(org, created=True, imported=summary)


def _stage(case: Case) -> int:
    """A stable pseudo-random number 0..99 per case, so the demo is the same every time."""
    return int(hashlib.sha256(case.external_id.encode()).hexdigest()[:8], 16) % 100


def _walk(case: Case, agents: list[User], now: datetime) -> None:
    stage = _stage(case)
    if stage < 20:
        return  # left as received: the unassigned queue
    agent = agents[stage % len(agents)]
    actor = Actor.staff(agent)
    case = services.case_assign(case=case, assignee=agent, actor=actor, now=now)
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
    if case.status != CaseStatus.RESOLVED or stage < 85:
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
