"""The two-way portal in a real browser (Debian's chromium through Playwright): the
customer replies with a file, the reply shows on the desk case page, the customer accepts
the offer and the case moves to resolved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import case_offer_record, case_transition
from plaint.portal import views
from tests.browser.conftest import SCREENSHOTS, browser, page, sign_in  # noqa: F401
from tests.conftest import NOW, open_case
from tests.portal.helpers import outbox_delivered, portal_token

HOSTILE = "Still waiting <b>{{ 7*7 }}</b> for the refund."


def test_the_customer_replies_and_accepts_the_offer(  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    browser,  # noqa: F811
    live_server,
    org,
    agent,
    tmp_path,
) -> None:
    case = open_case(org, agent)
    staff = Actor.staff(agent)
    case_transition(case=case, to="investigating", actor=staff, now=NOW)
    case_offer_record(
        case=case,
        redress="refund",
        amount=Decimal("84.20"),
        currency="GBP",
        description="We refund the duplicate charge to your card.",
        actor=staff,
        now=NOW,
    )
    link = f"/complain/{org.slug}/case/{portal_token(case)}/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    bill = tmp_path / "bank-statement.pdf"
    bill.write_bytes(b"%PDF-1.4 the statement shows two charges")

    # Warm the server up in this process (the first request imports every view: slow on a
    # busy machine), so the browser's timeouts measure the pages, not the imports.
    assert Client().get(link).status_code == 200

    # The customer replies, with a file.
    page.set_default_timeout(30_000)  # the machine may be busy
    page.goto(link, timeout=60_000)
    page.get_by_label("Your message").fill(HOSTILE)
    page.get_by_label("Files to send with it (optional)").set_input_files(str(bill))
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url("**#messages")
    mine = page.locator("li.message.mine")
    mine.get_by_text(HOSTILE).wait_for()
    assert mine.locator("b").count() == 0  # shown as text, not markup
    assert mine.get_by_role("link", name="bank-statement.pdf").is_visible()
    page.locator("#messages").screenshot(path=str(SCREENSHOTS / "portal-conversation.png"))

    # Staff see the reply on the desk case page.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    staff_page = desk.new_page()
    staff_page.set_default_timeout(30_000)
    sign_in(staff_page, agent.username, f"pw-{agent.username}-123")
    staff_page.goto(reverse("desk:case_detail", args=[case.reference]))
    staff_page.get_by_text(HOSTILE).first.wait_for()
    assert staff_page.get_by_text("Inbound web contact").first.is_visible()
    staff_page.screenshot(path=str(SCREENSHOTS / "portal-reply-on-desk.png"), full_page=True)

    # The customer accepts the offer: one button.
    page.goto(link)
    offer = page.locator(".offer")
    assert offer.get_by_text("Refund of GBP 84.20").is_visible()
    offer.screenshot(path=str(SCREENSHOTS / "portal-offer.png"))
    offer.get_by_role("button", name="Accept this offer").click()
    page.get_by_text("You accepted this offer").wait_for()
    assert page.locator("span.status").inner_text() == "Resolved"
    assert page.get_by_role("button", name="Accept this offer").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "portal-offer-accepted.png"), full_page=True)
    case.refresh_from_db()
    assert case.status == "resolved"
    answer = CaseEvent.objects.get(case=case, kind="resolution_answered")
    assert (answer.actor_kind, answer.actor_label) == ("customer", "Dana Whitfield")

    # ...and the desk shows the case moved.
    staff_page.reload()
    staff_page.get_by_text("Customer accepted the offer.").first.wait_for()
    desk.close()
    assert Case.objects.get(pk=case.pk).status == "resolved"


def test_a_customer_with_an_expired_link_asks_for_a_new_one(  # type: ignore[no-untyped-def]
    page,  # noqa: F811
    org,
    agent,
    smtp,
    monkeypatch,
) -> None:
    monkeypatch.setattr(views, "LINK_REQUEST_SECONDS", 0.2)
    case = open_case(org, agent)
    expired = portal_token(case, now=timezone.now() - timedelta(days=400))
    link = f"/complain/{org.slug}/case/{expired}/"
    assert Client().get(link).status_code == 410  # warms the server up (see above)
    page.set_default_timeout(30_000)
    page.goto(link, timeout=60_000)
    page.get_by_role("heading", name="This link has expired").wait_for()
    page.get_by_role("link", name="Ask for a new link").click()
    page.get_by_label("Your complaint's reference").fill(case.reference)
    page.get_by_label("Your e-mail address").fill("dana@example.org")
    page.screenshot(path=str(SCREENSHOTS / "portal-new-link.png"), full_page=True)
    page.get_by_role("button", name="Send me a new link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    assert mail.outbox == []  # nothing leaves except through the outbox
    (message,) = outbox_delivered(smtp)
    assert message.to == ["dana@example.org"]
    new = next(w for w in message.body.split() if "/case/" in w)
    page.goto(new)
    page.get_by_role("heading", name=f"Your complaint {case.reference}").wait_for()
