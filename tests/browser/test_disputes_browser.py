"""In a real browser (the system chromium): the customer's "what next" after an ignored
cease-and-desist, and the desk's disputes panel with a restriction on the case header.

It lives here, not in tests/disputes, to share this folder's one Playwright session: a
second sync Playwright in the same pytest run is refused. It runs on the real clock (the
browser keeps its own: cookies, link lifetimes) and asserts nothing that depends on the
day."""

from __future__ import annotations

from datetime import date

from plaint.cases.ledger import Actor
from plaint.disputes import services
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import NOW, open_case
from tests.portal.helpers import portal_token


def test_the_customer_sees_what_next_after_an_ignored_letter(page, org, agent) -> None:
    case = open_case(org, agent, regime="UK-OFGEM", description="Billed twice. <b>{{ 7*7 }}</b>")
    sent = services.cease_desist_sent_record(
        case=case,
        sent_on=date(2026, 2, 16),
        method="recorded_delivery",
        tracking_number="RR123456785GB",
        comply_by=date(2026, 3, 1),
        conduct="Calling me at work about the February bill.",
        actor=Actor.staff(agent),
        now=NOW,
    )
    services.cease_desist_outcome_record(
        sent=sent, stopped=False, actor=Actor.staff(agent), now=NOW
    )
    page.goto(f"/complain/{org.slug}/case/{portal_token(case)}/")
    page.get_by_role("heading", name="What you can do next").wait_for()
    assert page.get_by_text("It did not stop.", exact=True).is_visible()
    steps = page.locator("ol.next-steps > li")
    titles = [steps.nth(i).locator("strong").first.inner_text() for i in range(steps.count())]
    assert titles[0] == "Send a final notice"
    assert "Take it to the Energy Ombudsman" in titles
    assert not any("arbitration" in t for t in titles)  # the customer said nothing of one
    assert (
        "On 16 February 2026 I asked you to stop this conduct: Calling me at work about the "
        "February bill. It has not stopped." in page.inner_text("main")
    )
    assert page.locator("main b").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "disputes-portal-what-next.png"), full_page=True)


def test_the_desk_panel_logs_a_letter_and_shows_the_restriction(page, org, agent) -> None:
    case = open_case(org, agent)
    sign_in(page, "alice", "pw-alice-123")
    page.goto(f"/cases/{case.reference}/")
    page.get_by_text("Log a cease-and-desist received").click()
    page.get_by_label("Sent by").fill("Grey & Co Solicitors")
    page.get_by_label("On behalf of").fill("Dana Whitfield")
    page.get_by_label("Date of the letter").fill("2026-02-26")
    page.get_by_label("What it demands").fill("Stop calling our client at work.")
    page.get_by_role("button", name="Log letter").click()
    page.get_by_role("heading", name="Cease-and-desist from Grey & Co Solicitors").wait_for()
    page.get_by_text("Add a contact restriction").click()
    page.get_by_label("Restriction", exact=True).select_option("not_at_work")
    page.get_by_role("button", name="Add restriction").click()
    page.get_by_text("Contact restricted:").wait_for()
    assert page.locator(".restrictions .tag").first.inner_text() == "No contact at work"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "disputes-desk-panel.png"), full_page=True)
