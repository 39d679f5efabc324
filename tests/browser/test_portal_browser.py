"""The customer portal in a real browser: file a complaint with evidence, follow the
private link, add information."""

from __future__ import annotations

from plaint.cases.models import Case, Evidence
from tests.browser.conftest import SCREENSHOTS
from tests.messaging.conftest import smtp  # noqa: F401 - the loopback SMTP server
from tests.portal.helpers import outbox_delivered


def test_a_customer_files_a_complaint_and_follows_it(page, org, smtp, tmp_path) -> None:  # noqa: F811
    bill = tmp_path / "march-bill.pdf"
    bill.write_bytes(b"%PDF-1.4 the March bill, charged twice")
    page.goto(f"/complain/{org.slug}/")
    page.get_by_label("Your full name").fill("Dana Whitfield")
    page.get_by_label("Your e-mail address").fill("dana@example.org")
    page.get_by_label("Your phone number").fill("+44 20 7946 0000")
    page.get_by_label("Your postal address").fill("41 Larch Street\nLeeds LS1 4AB")
    page.get_by_label("Order number").fill("INV-12345")
    page.get_by_label("Product or service").fill("Energy supply")
    page.get_by_label("What went wrong").fill("I was charged twice for March. <b>{{ 7*7 }}</b>")
    page.get_by_label("What you would like us to do").fill("Refund the duplicate charge.")
    page.get_by_label("Evidence (optional)").set_input_files(str(bill))
    page.get_by_role("button", name="Send my complaint").click()
    page.get_by_role("heading", name="We have received your complaint").wait_for()
    case = Case.objects.get(organisation=org)
    assert page.get_by_text(case.reference).first.is_visible()
    assert Evidence.objects.get(case=case).filename == "march-bill.pdf"
    link = page.locator("p.link a").get_attribute("href")
    assert link and case.reference not in link  # the link is a signed token, not the reference
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "portal-received.png"), full_page=True)

    page.goto(link)
    page.get_by_text("I was charged twice for March. <b>{{ 7*7 }}</b>").first.wait_for()
    assert page.locator("main b").count() == 0  # the customer's markup is shown, not run
    assert "endcomment" not in page.content() and "same-origin:" not in page.inner_text("body")
    assert page.get_by_text("derived", exact=True).count() == 0
    page.screenshot(path=str(SCREENSHOTS / "portal-case.png"), full_page=True)
    # The link was e-mailed too, through the outbox.
    assert any(link in message.body for message in outbox_delivered(smtp))

    page.goto(link.rstrip("/")[:-3] + "xyz/")  # a tampered link shows nothing of the case
    assert case.reference not in page.content()


def test_the_form_explains_what_is_missing(page, org) -> None:
    page.goto(f"/complain/{org.slug}/")
    page.get_by_role("button", name="Send my complaint").click()
    assert page.get_by_text("Please tell us your full name.").first.is_visible()
    assert Case.objects.count() == 0
