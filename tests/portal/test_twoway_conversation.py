"""The conversation: the customer replies (with files) and sees the business's
customer-visible messages, oldest first; hostile text is kept verbatim and shown inert."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, Contact, Evidence
from plaint.cases.services import case_contact_log, case_note_add
from plaint.domain.vocabulary import Visibility
from plaint.letters.services import letter_generate, letter_mark_sent
from plaint.portal.selectors import customer_conversation
from tests.conftest import NOW, open_case
from tests.portal.helpers import pdf_file

pytestmark = pytest.mark.django_db
CaseUrl = Callable[..., str]
HOSTILE = (
    '<script>alert("x")</script>{{ 7*7 }}{% debug %}<img src=x onerror=alert(1)>\n'
    "second line \u202egnp.exe"
)


@pytest.fixture
def case(org: Organisation, agent: User) -> Case:
    return open_case(org, agent)


def _messages(html: str) -> list[str]:
    """The text of each message on the page, in page order."""
    return [
        re.sub(r"<[^>]+>", "", body).strip()
        for body in re.findall(r'<p class="body">(.*?)</p>', html, re.S)
    ]


def test_a_reply_is_a_customer_visible_inbound_contact(
    client: Client, case: Case, case_url: CaseUrl
) -> None:
    response = client.post(case_url(case, "reply/"), {"text": "The refund has not arrived."})
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    event = CaseEvent.objects.filter(case=case).last()
    assert event is not None
    assert (event.kind, event.visibility, event.actor_kind, event.actor_label) == (
        "contact_logged",
        "customer",
        "customer",
        "Dana Whitfield",
    )
    contact = Contact.objects.get(case=case)
    assert (contact.channel, contact.direction, contact.summary_visibility) == (
        "web",
        "inbound",
        "customer",
    )
    html = client.get(case_url(case)).content.decode()
    assert _messages(html) == ["The refund has not arrived."]
    assert "Message through the website" in html


def test_the_reply_appears_on_the_desk_case_page(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    client.post(case_url(case, "reply/"), {"text": "The refund has not arrived."})
    desk = Client()
    assert desk.login(username=agent.username, password=f"pw-{agent.username}-123")
    html = desk.get(reverse("desk:case_detail", args=[case.reference])).content.decode()
    assert "The refund has not arrived." in html
    assert "Inbound web contact" in html


def test_a_reply_carries_its_files(client: Client, case: Case, case_url: CaseUrl) -> None:
    response = client.post(
        case_url(case, "reply/"),
        {"text": "Here is the bill.", "evidence": [pdf_file("bill.pdf"), pdf_file("letter.pdf")]},
    )
    assert response.status_code == 302
    (message,) = customer_conversation(case=case)
    assert [a.filename for a in message.attachments] == ["bill.pdf", "letter.pdf"]
    html = client.get(case_url(case)).content.decode()
    item = Evidence.objects.get(case=case, filename="bill.pdf")
    assert case_url(case, f"evidence/{item.pk}/") in html


def test_a_refused_file_keeps_no_reply(client: Client, case: Case, case_url: CaseUrl) -> None:
    before = CaseEvent.objects.filter(case=case).count()
    bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(case_url(case, "reply/"), {"text": "See attached.", "evidence": [bad]})
    assert response.status_code == 400
    assert "Please check the form" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == before
    assert not Contact.objects.filter(case=case).exists()


def test_hostile_text_is_kept_verbatim_and_shown_inert(
    client: Client, case: Case, case_url: CaseUrl
) -> None:
    response = client.post(case_url(case, "reply/"), {"text": HOSTILE})
    assert response.status_code == 302
    assert Contact.objects.get(case=case).summary == HOSTILE
    html = client.get(case_url(case)).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;{{ 7*7 }}{% debug %}" in html
    assert "49" not in _messages(html)[0]


def test_a_nul_byte_is_refused_with_a_message(
    client: Client, case: Case, case_url: CaseUrl
) -> None:
    response = client.post(case_url(case, "reply/"), {"text": "hello\x00world"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert not Contact.objects.filter(case=case).exists()


def test_an_empty_reply_is_refused(client: Client, case: Case, case_url: CaseUrl) -> None:
    response = client.post(case_url(case, "reply/"), {"text": "   "})
    assert response.status_code == 400
    assert "Please tell us your message." in response.content.decode()
    assert not Contact.objects.filter(case=case).exists()


def test_the_business_messages_the_customer_may_see_oldest_first(
    client: Client, case: Case, agent: User, case_url: CaseUrl
) -> None:
    staff = Actor.staff(agent)
    case_note_add(case=case, text="Internal: customer sounds upset", actor=staff, now=NOW)
    case_note_add(
        case=case,
        text="We are looking into your bill.",
        actor=staff,
        now=NOW + timedelta(minutes=1),
        visibility=Visibility.CUSTOMER,
    )
    case_contact_log(
        case=case,
        contact_at=NOW + timedelta(minutes=2),
        channel="phone",
        direction="outbound",
        actor=staff,
        now=NOW + timedelta(minutes=2),
        summary="Staff's own note of the call",
    )
    case_contact_log(
        case=case,
        contact_at=NOW + timedelta(minutes=3),
        channel="email",
        direction="outbound",
        actor=staff,
        now=NOW + timedelta(minutes=3),
        summary="We have refunded GBP 84.20.",
        summary_visibility=Visibility.CUSTOMER,
    )
    letter = letter_generate(
        case=case, kind="acknowledgement", actor=staff, now=NOW + timedelta(minutes=4)
    )
    letter_mark_sent(
        case=case,
        seq=letter.event.seq,
        method="email",
        tracking_number="",
        sent_at=NOW + timedelta(minutes=5),
        actor=staff,
        now=NOW + timedelta(minutes=5),
    )
    html = client.get(case_url(case)).content.decode()
    bodies = _messages(html)
    assert bodies[:3] == [
        "We are looking into your bill.",
        "A phone call on 02 Mar 2026.",
        "We have refunded GBP 84.20.",
    ]
    assert bodies[3].startswith("Acknowledgement of a complaint, sent by email on 02 Mar 2026")
    assert "Internal: customer sounds upset" not in html
    assert "Staff's own note of the call" not in html
    assert case_url(case, f"letters/{letter.event.seq}.pdf") in html
    # and the customer's reply comes after them
    client.post(case_url(case, "reply/"), {"text": "Thank you."})
    assert _messages(client.get(case_url(case)).content.decode())[-1] == "Thank you."


def test_another_cases_messages_are_not_shown(
    client: Client, org: Organisation, case: Case, agent: User, case_url: CaseUrl
) -> None:
    other = open_case(org, agent)
    case_note_add(
        case=other,
        text="Message for someone else",
        actor=Actor.staff(agent),
        now=NOW,
        visibility=Visibility.CUSTOMER,
    )
    assert "Message for someone else" not in client.get(case_url(case)).content.decode()
