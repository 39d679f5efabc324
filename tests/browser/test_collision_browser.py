"""Two members of staff on one case, in two browser contexts: one adds a note, the
other's page shows who did what and how long ago within a poll, and the form they had
open is refused, saving nothing. Runs on the real clock; asserts nothing about the day."""

from __future__ import annotations

import re

from plaint.cases.models import CaseEvent
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import open_case


def notes(case) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        CaseEvent.objects.filter(case=case, kind="note_added").values_list("kind", flat=True)
    )


def test_two_staff_on_one_case(browser, live_server, settings, org, agent, supervisor) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PLAINT_COLLISION_POLL_SECONDS = 1
    case = open_case(org, agent, description="Charged twice in February.")
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        for _ in range(2)
    ]
    try:
        alice, sue = (c.new_page() for c in contexts)
        for page, name in ((alice, "alice"), (sue, "sue")):
            page.set_default_timeout(15_000)
            sign_in(page, name, f"pw-{name}-123")
            page.goto(f"/cases/{case.reference}/")
            page.get_by_role("heading", name="Timeline").wait_for()
        # Alice starts a note and leaves it unsent.
        alice.get_by_text("Add a note", exact=True).first.click()
        alice.locator("#id_note_text").fill("Refund agreed by phone")
        # Sue adds hers.
        sue.get_by_text("Add a note", exact=True).first.click()
        sue.locator("#id_note_text").fill("Spoke to billing <script>alert(1)</script>")
        sue.locator("form#note").get_by_role("button", name="Add note").click()
        sue.get_by_text("Spoke to billing <script>alert(1)</script>").wait_for()
        assert sue.locator("#collision-banner").inner_text() == ""  # her own page is current
        # Alice's page says so within a poll, and announces it once to a screen reader.
        banner = alice.locator("#collision-banner")
        banner.get_by_text("Sue Visor added a note").wait_for()
        banner.get_by_text(re.compile(r"Sue Visor added a note \d+ seconds ago")).wait_for()
        assert banner.get_by_role("link", name="reload").get_attribute("href") == (
            f"/cases/{case.reference}/"
        )
        assert "Sue Visor added a note" in alice.locator("#collision-live").inner_text()
        assert alice.locator("#id_note_text").input_value() == "Refund agreed by phone"
        alice.locator("#collision").screenshot(path=str(SCREENSHOTS / "desk-collision-banner.png"))
        alice.screenshot(path=str(SCREENSHOTS / "desk-collision-page.png"))
        # Her stale form is refused, nothing is written, and she keeps what she typed.
        alice.locator("form#note").get_by_role("button", name="Add note").click()
        alert = alice.locator("form#note .error")
        alert.get_by_text("changed while you had it open").wait_for()
        assert "Nothing was saved" in alert.inner_text()
        assert len(notes(case)) == 1
        assert alice.locator("#id_note_text").input_value() == "Refund agreed by phone"
        # The page came back current: sent again, it is saved, and no banner is left.
        alice.locator("form#note").get_by_role("button", name="Add note").click()
        alice.locator(".timeline").get_by_text("Refund agreed by phone").wait_for()
        assert len(notes(case)) == 2
        alice.wait_for_timeout(2_500)  # two polls: nothing new for Alice's own page
        assert alice.locator("#collision-banner").inner_text() == ""
        assert alice.evaluate("() => document.querySelectorAll('main script').length") == 0
    finally:
        for c in contexts:
            c.close()
