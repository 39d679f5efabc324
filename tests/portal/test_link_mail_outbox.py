"""The portal's link e-mails go through the transactional outbox: queued in the
transaction that issues the link (nothing is sent when it rolls back), delivered once by
the worker, and recorded on the case without the link itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case
from plaint.cases.services import CustomerDetails
from plaint.messaging.models import Message
from plaint.outbox.models import Delivery
from plaint.outbox.services import deliveries_run
from plaint.portal.models import PortalLink
from plaint.portal.services import ComplaintDetails, complaint_file, link_request
from tests.conftest import NOW, open_case
from tests.messaging.conftest import Smtp
from tests.portal.helpers import outbox_delivered

pytestmark = pytest.mark.django_db


def link_for(token: str) -> str:
    return f"https://desk.example/complain/acme/case/{token}/"


class Abandoned(Exception):
    """Raised inside the caller's transaction to roll it back."""


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def _ask(org: Organisation, case: Case) -> None:
    link_request(
        organisation=org,
        reference=case.reference,
        email="dana@example.org",
        now=NOW,
        link_for=link_for,
    )


def test_a_rolled_back_link_request_sends_nothing(
    org: Organisation, case: Case, smtp: Smtp
) -> None:
    with pytest.raises(Abandoned), transaction.atomic():
        _ask(org, case)
        assert Delivery.objects.count() == 1  # queued inside the transaction ...
        raise Abandoned
    assert not PortalLink.objects.filter(case=case, reason="requested").exists()
    assert Delivery.objects.count() == 0 and Message.objects.count() == 0  # ... and gone
    assert not case.events.filter(kind="message_queued").exists()
    deliveries_run(now=NOW + timedelta(minutes=5), worker="test-worker")
    assert smtp.inbox.messages == [] and mail.outbox == []


def test_a_rolled_back_filing_sends_no_link(org: Organisation, smtp: Smtp) -> None:
    with pytest.raises(Abandoned), transaction.atomic():
        complaint_file(
            organisation=org,
            customer=CustomerDetails(name="Dana Whitfield", email="dana@example.org"),
            complaint=ComplaintDetails(description="Charged twice", desired_resolution="Refund"),
            uploads=[],
            now=NOW,
            link_for=link_for,
        )
        raise Abandoned
    assert Delivery.objects.count() == 0
    assert outbox_delivered(smtp, now=NOW) == []


def test_a_committed_link_is_delivered_once_by_the_worker(
    org: Organisation, case: Case, smtp: Smtp
) -> None:
    _ask(org, case)
    assert smtp.inbox.messages == [] and mail.outbox == []  # nothing sent in the request
    (message,) = outbox_delivered(smtp, now=NOW)
    assert message.to == ["dana@example.org"]
    assert message.subject == f"A new link to your complaint {case.reference}"
    assert "https://desk.example/complain/acme/case/" in message.body
    assert message.body.startswith("Dear Dana Whitfield,")
    # Further passes of the worker send it no more.
    assert len(outbox_delivered(smtp, now=NOW + timedelta(minutes=10))) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 1
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["message_queued", "message_delivery"]
    token = message.body.split("/case/", 1)[1].split("/", 1)[0]
    recorded = Message.objects.get(case=case)
    assert token not in recorded.text and "[private link]" in recorded.text
    assert all(token not in e.clear_payload for e in case.events.all())
