"""The whole journey in a real browser: a customer files a complaint with evidence, staff
see it in their queue with triage, acknowledge it with a letter, log a call and propose a
refund; the customer sees the update through their link, escalates, and the escalation
letter lists the logged call."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from plaint.cases.models import Case
from plaint.letters.selectors import case_letter_file, case_letters
from tests.browser.conftest import SCREENSHOTS, sign_in


def fill_what_is_missing(form) -> None:  # type: ignore[no-untyped-def]
    """Answer every empty field a letter form asks for with something plausible."""
    soon = (timezone.now() + timedelta(days=21)).date().isoformat()
    for field in form.locator("fieldset input, fieldset select, fieldset textarea").all():
        kind = field.get_attribute("type") or field.evaluate("e => e.tagName.toLowerCase()")
        if kind == "select":
            options = field.locator("option").all()
            field.select_option(index=1 if len(options) > 1 else 0)
        elif kind == "date":
            field.fill(soon)
        elif kind == "radio":
            field.check()
        elif not field.input_value():
            field.fill("14" if kind == "number" else "As agreed on the phone")


def test_complaint_to_escalation(page, browser, live_server, org, agent, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # --- the customer files a complaint with evidence
    bill = tmp_path / "bill.pdf"
    bill.write_bytes(b"%PDF-1.4 March bill")
    page.goto(f"/complain/{org.slug}/")
    for label, value in [
        ("Your full name", "Dana Whitfield"),
        ("Your e-mail address", "dana@example.org"),
        ("Your phone number", "+44 20 7946 0000"),
        ("Your postal address", "41 Larch Street\nLeeds LS1 4AB"),
        ("Order number", "INV-12345"),
        ("Product or service", "Energy supply"),
        (
            "What went wrong",
            "You charged my card twice for March. I will complain to the "
            "ombudsman if this is not refunded.",
        ),
        ("What you would like us to do", "Refund the duplicate charge of 84.20."),
    ]:
        page.get_by_label(label).fill(value)
    page.get_by_label("Date it happened").fill(
        (timezone.localdate() - timedelta(days=20)).isoformat()
    )
    page.get_by_label("Evidence (optional)").set_input_files(str(bill))
    page.get_by_role("button", name="Send my complaint").click()
    page.get_by_role("heading", name="We have received your complaint").wait_for()
    link = page.locator("p.link a").get_attribute("href")
    case = Case.objects.get(organisation=org)

    # --- staff find it in the unassigned queue, triaged, and work it
    staff = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    sign_in(desk, "alice", "pw-alice-123")
    desk.goto("/?queue=unassigned")
    desk.screenshot(path=str(SCREENSHOTS / "case-list.png"), full_page=True)
    desk.get_by_role("link", name=case.reference).click()
    desk.get_by_role("heading", name="Timeline").wait_for()
    assert "regulator" in desk.content().lower()  # the ombudsman mention was flagged
    desk.get_by_role("button", name="Take this case").click()
    desk.get_by_text("Assigned to Alice Agent").first.wait_for()
    desk.locator("#transition select").select_option("acknowledged")
    desk.locator("#transition button").click()
    desk.get_by_text("Status changed from Received to Acknowledged").first.wait_for()

    letter = desk.locator("#letter")
    letter.locator("select").first.select_option("acknowledgement")
    letter.get_by_role("button", name="Generate").click()
    desk.wait_for_load_state()
    for _ in range(3):  # the form asks for what the case does not say, then generates
        if desk.locator(".kept-letters").count():
            break
        fill_what_is_missing(desk.locator("#letter"))
        desk.locator("#letter").get_by_role("button", name="Generate").click()
        desk.wait_for_load_state()
    desk.locator(".kept-letters").get_by_text("Acknowledgement").first.wait_for()
    # it goes out by e-mail, which is what puts it on the customer's page
    kept = desk.locator(".kept-letters > li").first
    kept.locator("summary", has_text="Mark as sent").click()
    kept.locator("select[name=method]").select_option("email")
    kept.get_by_role("button", name="Mark as sent").click()
    desk.locator(".kept-letters .sent", has_text="Sent by email").wait_for()

    desk.locator("summary", has_text="Log a contact").click()
    contact = desk.locator("#contact")
    contact.get_by_label("When").fill(
        (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    contact.locator("select[name=channel]").select_option("phone")
    contact.locator("select[name=direction]").select_option("outbound")
    contact.locator("input[name=representative]").fill("Alice Agent")
    contact.get_by_label("Ticket number").fill("TCK-7781")
    contact.get_by_label("Wait (minutes)").fill("12")
    contact.get_by_role("button", name="Log contact").click()
    desk.get_by_text("ticket TCK-7781").first.wait_for()

    desk.locator("summary", has_text="Record an offer").click()
    offer = desk.locator("#offer")
    offer.locator("select[name=redress]").select_option("refund")
    offer.locator("input[name=amount]").fill("84.20")
    offer.locator("input[name=currency]").fill("GBP")
    offer.get_by_role("button", name="Record offer").click()
    desk.get_by_text("Offered refund of GBP 84.20").first.wait_for()
    desk.screenshot(path=str(SCREENSHOTS / "desk-case-worked.png"), full_page=True)

    # --- the customer sees the offer and the acknowledgement, and escalates
    page.goto(link)
    page.get_by_text("Resolution proposed").first.wait_for()
    page.locator("li", has_text="sent to you by email").filter(
        has_text="Acknowledgement"
    ).wait_for()
    page.get_by_role("link", name="Escalate my complaint").click()
    page.get_by_label("I am unhappy with how my complaint is being handled").check()
    page.get_by_role("button", name="Write my escalation letter").click()
    page.wait_for_load_state()
    for _ in range(3):
        if page.get_by_role("heading", name="Your complaint is escalated").count():
            break
        fill_what_is_missing(page.locator("form"))
        page.get_by_role("button", name="Write my escalation letter").click()
        page.wait_for_load_state()
    page.get_by_role("heading", name="Your complaint is escalated").wait_for()
    staff.close()

    case.refresh_from_db()
    assert case.status == "escalated"
    escalation = [item for item in case_letters(case=case) if item.payload.letter == "escalation"]
    assert escalation, "no escalation letter was kept"
    text = case_letter_file(case=case, seq=escalation[-1].event.seq, fmt="md").decode()
    assert "TCK-7781" in text and "Alice Agent" in text  # the logged call is in the letter
