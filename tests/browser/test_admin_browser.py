"""An admin adds a member of staff in a real browser, and the new member signs in."""

from __future__ import annotations

from plaint.accounts.models import User
from plaint.accounts.roles import Role
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import _staff


def test_an_admin_adds_an_agent_who_can_then_sign_in(page, browser, live_server, org) -> None:
    _staff(org, "ada", Role.ADMIN, "Ada", "Admin")
    sign_in(page, "ada", "pw-ada-123")
    page.get_by_role("link", name="Team").click()
    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill("Parks-Ng")
    page.get_by_label("E-mail").fill("rosa@example.org")
    page.get_by_label("Agent", exact=True).check()
    page.get_by_label("First password", exact=True).fill("river-lantern-42")
    page.get_by_label("First password again").fill("river-lantern-42")
    page.get_by_role("button", name="Add to the team").click()
    page.get_by_text("Rosa Parks-Ng").first.wait_for()
    rosa = User.objects.get(username="rosa")
    assert rosa.organisation_id == org.pk and rosa.groups.get().name == "agent"
    page.goto("/admin/team/")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-team.png"), full_page=True)

    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "rosa", "river-lantern-42")
    other.get_by_role("heading", name="Cases").wait_for()
    assert other.get_by_role("link", name="Team").count() == 0  # agents do not manage
