"""In a real browser (Debian's chromium): a termination from proposal to notice letter,
and the reputation chart. Screenshots go to docs/screenshots with PLAINT_SCREENSHOTS=1."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from plaint.domain.termination import add_months
from plaint.terminations.models import Termination
from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
TRAVEL = Path("/work/shared/data/trustpilot_reviews_travel_en.csv")


@pytest.fixture
def slow_page(page, live_server):  # type: ignore[no-untyped-def]
    """The page, after a first request that may take long on a loaded machine (the live
    server imports the views on its first request)."""
    with urllib.request.urlopen(live_server.url + "/login/", timeout=180) as answer:  # noqa: S310 (http, our live server)
        assert answer.status == 200
    page.set_default_timeout(60_000)
    return page


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")


def test_termination_from_proposal_to_notice_letter(slow_page, bank_case, agent, boss) -> None:  # type: ignore[no-untyped-def]
    page = slow_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "alice", "pw-alice-123")
    page.goto(f"/cases/{bank_case.reference}/")
    page.get_by_role("link", name="Propose ending this customer's service").click()
    page.get_by_label("Reason").select_option("abuse")
    page.get_by_label("The facts").fill("Threatened branch staff on 20 and 27 February.")
    page.get_by_label("Product").select_option("payment_framework")
    page.get_by_label("Contract concluded on").fill("2024-06-01")
    page.get_by_label("Alternative 1").select_option("contact_restriction")
    page.get_by_label("Outcome 1").select_option("did_not_work")
    page.get_by_label("What happened 1").fill("Kept phoning the branch.")
    page.screenshot(path=str(SCREENSHOTS / "termination-propose.png"), full_page=True)
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("heading", name="1. Proposal").wait_for()
    page.get_by_label("Contract clause relied on").fill(
        "Clause 14.2 of the account terms lets us end the account."
    )
    page.get_by_label("Notice the clause requires (days)").fill("30")
    page.get_by_label("How open complaints or disputes are handled").fill(
        "The open complaint is answered before the effective date."
    )
    page.get_by_label("The reason has nothing to do with a protected characteristic").check()
    page.get_by_role("button", name="Record the check").click()
    page.get_by_text("Status: Checked").wait_for()
    # The proposer cannot approve it.
    page.get_by_label("Reasons").fill("Staff safety")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Rule T4 (four-eyes approval)").wait_for()
    sign_out(page)
    sign_in(page, "bo", "pw-bo-123")
    t = Termination.objects.get()
    page.goto(f"/terminations/{t.pk}/")
    page.get_by_label("Reasons").fill("Staff safety comes first.")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("at least 2 months' notice").wait_for()
    page.get_by_label("The reasons, stated specifically").fill(
        "On 20 and 27 February you threatened our branch staff."
    )
    page.get_by_label("Alternatives offered to the customer (one a line)").fill(
        "A basic bank account with another provider"
    )
    page.get_by_label("What happens to money or data").fill(
        "We will send any balance to an account you name."
    )
    page.screenshot(path=str(SCREENSHOTS / "termination-notice.png"), full_page=True)
    page.get_by_role("button", name="Keep the notice letter").click()
    page.get_by_text("Notice of ").first.wait_for()
    t.refresh_from_db()
    assert t.notice_on is not None
    # PSRs 2017 reg 51: two months from the day of the notice (the clause's 30 days
    # are shorter).
    assert t.effective_on == add_months(t.notice_on, 2)
    page.get_by_label("Sent").select_option("email")
    page.get_by_role("button", name="Record delivery").click()
    page.get_by_text("Status: Notice sent").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "termination-detail.png"), full_page=True)
    page.goto(f"/cases/{bank_case.reference}/")
    page.get_by_text("Letter generated: Notice of service termination").wait_for()
    assert page.get_by_text(
        f"Termination #{t.pk}: notice issued on {t.notice_on.isoformat()}"
    ).is_visible()


def test_reputation_chart(slow_page, supervisor) -> None:  # type: ignore[no-untyped-def]
    page = slow_page
    if not TRAVEL.is_file():
        pytest.skip("the shared review data is not on this machine")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, "sue", "pw-sue-123")
    page.goto("/reputation/")
    page.get_by_label("CSV or JSON file").set_input_files(str(TRAVEL))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 300 reviews").wait_for()
    page.goto("/reputation/?weeks=12&to=latest")
    chart = page.get_by_role("img", name="Weekly mean rating and sentiment of reviews")
    chart.wait_for()
    assert page.get_by_role(
        "img", name="Weekly reviews, complaints received and terminations on the same weeks"
    ).is_visible()
    page.screenshot(path=str(SCREENSHOTS / "reputation.png"), full_page=True)
    page.get_by_role("link", name="Draft a reply").first.click()
    page.get_by_label("Reply (select and copy)").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "reputation-reply.png"), full_page=True)
