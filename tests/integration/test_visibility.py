"""Every case service whose event the customer could see takes a visibility: customer by
default, internal when staff say so (a status change for housekeeping, say)."""

from __future__ import annotations

import pytest

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW

pytestmark = pytest.mark.django_db


def _last(case: Case) -> CaseEvent:
    event = CaseEvent.objects.filter(case=case).order_by("seq").last()
    assert event is not None
    return event


def test_status_offer_answer_and_close_take_a_visibility(case: Case, agent) -> None:
    actor = Actor.staff(agent)
    services.case_transition(
        case=case, to="investigating", actor=actor, now=NOW, visibility="internal"
    )
    assert (_last(case).kind, _last(case).visibility) == ("status_changed", "internal")
    offer = services.case_offer_record(
        case=case, redress="apology", actor=actor, now=NOW, visibility="internal"
    )
    assert (_last(case).kind, _last(case).visibility) == ("resolution_offered", "internal")
    services.case_offer_answer(
        offer=offer, accepted=True, actor=actor, now=NOW, visibility="internal"
    )
    assert (_last(case).kind, _last(case).visibility) == ("resolution_answered", "internal")
    services.case_close(
        case=case, outcome="upheld", root_cause_code="pricing_fees", root_cause="billing",
        actor=actor, now=NOW, visibility="internal",
    )  # fmt: skip
    assert (_last(case).kind, _last(case).visibility) == ("case_closed", "internal")


def test_the_default_stays_customer_visible(case: Case, agent) -> None:
    services.case_transition(case=case, to="acknowledged", actor=Actor.staff(agent), now=NOW)
    assert _last(case).visibility == "customer"


def test_an_unknown_visibility_is_refused_and_nothing_written(case: Case, agent) -> None:
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(FieldErrors) as caught:
        services.case_transition(
            case=case, to="acknowledged", actor=Actor.staff(agent), now=NOW, visibility="public"
        )
    assert caught.value.errors == {"visibility": "'public' is not one of: internal, customer"}
    assert CaseEvent.objects.filter(case=case).count() == before
    case.refresh_from_db()
    assert case.status == "received"
