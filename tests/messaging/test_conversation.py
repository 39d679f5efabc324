"""E-mail is part of the portal's conversation: the customer sees staff's e-mails and their
own e-mailed replies beside their website messages, never Plaint's automatic notices or
auto-replies; and a reply by either road (e-mail, website) restarts a case that waited
for the customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import case_transition
from plaint.domain import events as ev
from plaint.domain.lifecycle import CaseStatus
from plaint.messaging.inbound import message_receive
from plaint.messaging.services import message_send
from plaint.portal.selectors import customer_conversation
from tests.conftest import NOW
from tests.messaging.mail import raw_mail
from tests.portal.helpers import portal_token

pytestmark = pytest.mark.django_db
LATER = NOW + timedelta(hours=1)
EARLIER = NOW - timedelta(hours=1)  # before the Date of tests.messaging.mail.raw_mail


def _reason(event: CaseEvent) -> str:
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.StatusChanged)
    return payload.reason


def _say(case: Case, agent: User, text: str = "We offer a refund of £40.") -> str:
    sent = message_send(
        case=case, subject="Our offer", text=text, actor=Actor.staff(agent), now=EARLIER
    )
    return sent.message_id


def _awaiting(case: Case, agent: User) -> None:
    case_transition(case=case, to=CaseStatus.INVESTIGATING, actor=Actor.staff(agent), now=NOW)
    case_transition(
        case=case, to=CaseStatus.AWAITING_CUSTOMER, actor=Actor.staff(agent), now=NOW,
        reason="Asked for the meter reading.",
    )  # fmt: skip


def test_staffs_email_and_the_customers_reply_read_as_a_conversation(
    org: Organisation, case: Case, agent: User
) -> None:
    mid = _say(case, agent)
    raw = raw_mail(
        in_reply_to=mid, subject="Re: Our offer",
        text="Yes please.\n\nOn Mon, Acme wrote:\n> We offer a refund of £40.",
    )  # fmt: skip
    assert message_receive(raw, organisation=org, source="test", now=LATER).outcome == "recorded"
    said = [(m.from_customer, m.label, m.body) for m in customer_conversation(case=case)]
    assert said == [
        (False, "E-mail: Our offer", "We offer a refund of £40."),
        (True, "E-mail", "Yes please."),  # quoted history trimmed for display
    ]


def test_automatic_mail_is_on_the_record_but_not_in_the_conversation(
    org: Organisation, case: Case
) -> None:
    raw = raw_mail(
        subject=f"Out of office: {case.reference}", text="I am away.",
        headers={"Auto-Submitted": "auto-replied"},
    )  # fmt: skip
    got = message_receive(raw, organisation=org, source="test", now=LATER)
    assert got.message.case_id == case.pk
    assert CaseEvent.objects.filter(case=case, kind="message_received").exists()
    assert customer_conversation(case=case) == []


def test_the_portal_page_shows_the_email_inert(
    client: Client, org: Organisation, case: Case, agent: User
) -> None:
    _say(case, agent, text="<script>alert(1)</script>{{ 7*7 }} Call us.")
    html = client.get(f"/complain/{org.slug}/case/{portal_token(case)}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} Call us." in html
    assert "<script>alert(1)" not in html and "E-mail: Our offer" in html


def test_an_emailed_reply_restarts_a_case_awaiting_the_customer(
    org: Organisation, case: Case, agent: User
) -> None:
    _awaiting(case, agent)
    raw = raw_mail(subject=f"Re: {case.reference}", text="The reading is 04512.")
    message_receive(raw, organisation=org, source="test", now=LATER)
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    moved = CaseEvent.objects.filter(case=case, kind="status_changed").order_by("seq").last()
    assert moved is not None and _reason(moved) == "The customer replied by e-mail."


def test_a_website_reply_restarts_a_case_awaiting_the_customer(
    client: Client, org: Organisation, case: Case, agent: User
) -> None:
    _awaiting(case, agent)
    url = f"/complain/{org.slug}/case/{portal_token(case)}/reply/"
    assert client.post(url, {"text": "The reading is 04512."}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.INVESTIGATING
    moved = CaseEvent.objects.filter(case=case, kind="status_changed").order_by("seq").last()
    assert moved is not None and moved.actor_kind == "customer"
    assert _reason(moved) == "The customer replied through the website."


def test_a_website_reply_leaves_a_case_not_waiting_for_the_customer_where_it_is(
    client: Client, org: Organisation, case: Case
) -> None:
    before = case.status
    moves = CaseEvent.objects.filter(case=case, kind="status_changed").count()
    url = f"/complain/{org.slug}/case/{portal_token(case)}/reply/"
    assert client.post(url, {"text": "Any news?"}).status_code == 302
    case.refresh_from_db()
    assert case.status == before
    assert CaseEvent.objects.filter(case=case, kind="status_changed").count() == moves
