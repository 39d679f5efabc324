"""The portal shows the business's letters once they are marked as sent (a `letter_sent`
event the customer may see), and only through the link of their own case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.letters.services import letter_generate, letter_mark_sent
from plaint.portal.selectors import customer_letters
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]
SENT = NOW - timedelta(days=1)


def _acknowledgement(case: Case, agent: User) -> int:
    done = letter_generate(case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW)
    return done.event.seq


def _mark(case: Case, seq: int, agent: User, method: str = "email", tracking: str = "") -> None:
    letter_mark_sent(
        case=case, seq=seq, method=method, tracking_number=tracking, sent_at=SENT,
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip


def test_a_business_letter_appears_once_marked_sent(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    seq = _acknowledgement(case, agent)
    pdf = case_url(case, f"letters/{seq}.pdf")
    page = client.get(case_url(case)).content.decode()
    assert "Acknowledgement of a complaint" not in page
    assert client.get(pdf).status_code == 404
    # a milestone whose note names the file is not a record of sending any more
    services.case_milestone_record(
        case=case, milestone="goods_delivered", at=SENT, actor=Actor.staff(agent), now=NOW,
        note=f"Acknowledgement ({seq})",
    )  # fmt: skip
    assert client.get(pdf).status_code == 404
    _mark(case, seq, agent, method="recorded_delivery", tracking="RR123456789GB")
    page = client.get(case_url(case)).content.decode()
    assert "Acknowledgement of a complaint, sent to you by recorded delivery on 1 March 2026" in (
        page
    )
    assert "(tracking number RR123456789GB)" in page
    # the customer's timeline says so too
    assert "Acknowledgement of a complaint sent by recorded delivery on 01 Mar 2026" in page
    response = client.get(pdf)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_customer_of_another_case_cannot_fetch_it(
    client: Client, org: Organisation, case: Case, agent: User, case_url: CaseUrl
) -> None:
    other = open_case(org, agent)
    for _ in range(3):  # so that its letter's number lies beyond this case's ledger
        services.case_note_add(case=other, text="padding", actor=Actor.staff(agent), now=NOW)
    theirs = _acknowledgement(other, agent)
    _mark(other, theirs, agent)
    mine = _acknowledgement(case, agent)
    _mark(case, mine, agent)
    assert theirs > mine + 1
    assert client.get(case_url(other, f"letters/{theirs}.pdf")).status_code == 200
    # their letter's number through this case's link: this case has no such letter
    assert client.get(case_url(case, f"letters/{theirs}.pdf")).status_code == 404
    assert client.get(case_url(case, f"letters/{mine + 1}.pdf")).status_code == 404
    assert [k.event.seq for k in customer_letters(case=case)] == [mine]
    assert (
        f"{case.reference}-acknowledgement"
        in (client.get(case_url(case, f"letters/{mine}.pdf"))["Content-Disposition"])
    )


def test_a_letter_the_customer_sends_stays_internal_when_staff_mark_it(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    done = letter_generate(
        case=case, kind="escalation", actor=Actor.staff(agent), now=NOW,
        fields={"customer.address": "2 Elm Row\nLeeds", "business.address": "1 Commerce Way",
                "case.occurred_on": "2026-02-03"},
    )  # fmt: skip
    _mark(case, done.event.seq, agent, method="post")
    assert customer_letters(case=case) == []
    page = client.get(case_url(case)).content.decode()
    assert "Escalation" not in page and "sent by post" not in page
