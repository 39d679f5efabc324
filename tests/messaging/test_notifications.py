"""Customer notifications at the moments that matter, following the ledger from each
outbox pass: once per event, never about the past, and not when turned off."""

from __future__ import annotations

from datetime import timedelta

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.messaging.models import Message
from plaint.messaging.notifications import notifications_follow
from plaint.messaging.services import notification_setting_save
from plaint.outbox.services import deliveries_run
from tests.conftest import NOW, open_case
from tests.messaging.conftest import Smtp

LATER = NOW + timedelta(minutes=1)


def purposes() -> list[str]:
    return list(
        Message.objects.filter(direction="out").order_by("id").values_list("purpose", flat=True)
    )


def test_moments_are_told_once_and_the_past_never(
    org: Organisation, case: Case, agent: User, smtp: Smtp
) -> None:
    assert notifications_follow(NOW) == 0  # the first pass starts at the newest event
    assert purposes() == []
    actor = Actor.staff(agent)
    case_services.case_transition(case=case, to="acknowledged", actor=actor, now=NOW)
    case_services.case_transition(case=case, to="investigating", actor=actor, now=NOW)
    case_services.case_transition(case=case, to="awaiting_customer", actor=actor, now=NOW)
    case_services.case_transition(case=case, to="investigating", actor=actor, now=NOW)
    case_services.case_offer_record(
        case=case, redress="refund", amount="84.20", currency="GBP", actor=actor, now=NOW
    )
    case_services.case_milestone_record(
        case=case, milestone="final_response_sent", at=NOW, actor=actor, now=NOW
    )
    phone = open_case(org, agent)  # opened by phone: acknowledged by e-mail
    report = deliveries_run(now=LATER)
    assert purposes() == ["information_request", "offer", "final_response", "acknowledgement"]
    assert report.sent == 4 and len(smtp.inbox.messages) == 4
    assert all(m["Auto-Submitted"] == "auto-generated" for m in smtp.inbox.parsed())
    assert Message.objects.filter(case=phone, purpose="acknowledgement").exists()
    deliveries_run(now=LATER + timedelta(minutes=1))
    assert len(purposes()) == 4  # each event once


def test_a_moment_turned_off_sends_nothing(
    org: Organisation, case: Case, agent: User, smtp: Smtp
) -> None:
    notifications_follow(NOW)
    notification_setting_save(organisation_id=org.pk, moment="offer", enabled=False)
    case_services.case_transition(case=case, to="acknowledged", actor=Actor.staff(agent), now=NOW)
    case_services.case_offer_record(case=case, redress="apology", actor=Actor.staff(agent), now=NOW)
    deliveries_run(now=LATER)
    assert purposes() == []
