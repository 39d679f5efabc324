"""The reply to a cease-and-desist received, drafted from the dispute's record."""

from __future__ import annotations

from datetime import date

import pytest

from plaint.accounts.models import User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.disputes import services
from plaint.domain.errors import DomainError
from tests.conftest import NOW


def test_the_reply_says_what_the_record_says(case: Case, agent: User, reviewer: User) -> None:
    by = Actor.staff(reviewer)
    dispute = services.dispute_log(
        case=case,
        sender="Grey & Co Solicitors",
        on_behalf_of="Dana Whitfield",
        demands="Stop calling our client.",
        letter_date=date(2026, 2, 26),
        their_reference="GC/441",
        actor=Actor.staff(agent),
        now=NOW,
    )
    with pytest.raises(DomainError, match="Record the investigation and the decision"):
        services.dispute_reply_draft(dispute=dispute, actor=by, now=NOW)
    services.dispute_conduct_identify(
        dispute=dispute, conduct="Four calls to the customer's mobile.", actor=by, now=NOW
    )
    services.dispute_investigation_record(
        dispute=dispute,
        investigator="Lee Gal",
        records_checked=["call log", "account notes"],
        findings="Four outbound calls from 16 to 20 February.",
        actor=by,
        now=NOW,
    )
    services.dispute_decide(
        dispute=dispute,
        decision="comply",
        reasons="No more calls; letters only.",
        actor=by,
        now=NOW,
    )
    kept = services.dispute_reply_draft(dispute=dispute, actor=by, now=NOW, formats=("md",))
    text = kept.letter.outputs["md"].decode()
    assert "your reference GC/441" in kept.letter.subject
    assert "Four calls to the customer's mobile." in text
    assert "We have checked these records: call log, account notes." in text
    assert "We will do what your letter asks: No more calls; letters only." in text
    assert "12 March 2026" in text  # the dispute's reply deadline
    assert kept.event.kind == "letter_generated"
