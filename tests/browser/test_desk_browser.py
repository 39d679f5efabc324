"""The staff desk in a real browser: sign in, filter the list, open a case."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import open_case


def test_sign_in_filter_and_open_a_case(page, org, agent) -> None:
    broadband = open_case(
        org,
        agent,
        product="Broadband",
        description="My line drops every evening. <script>alert(1)</script>",
    )
    open_case(org, agent, product="Energy supply")
    sign_in(page, "alice", "pw-alice-123")
    assert page.get_by_text("2 cases").is_visible()
    page.get_by_role("combobox", name="Product").select_option("Broadband")
    page.get_by_text("1 case", exact=True).wait_for()
    assert "product=Broadband" in page.url  # htmx pushed the filter into the address
    page.get_by_role("link", name=broadband.reference).click()
    page.get_by_role("heading", name="Timeline").wait_for()
    assert page.get_by_text("My line drops every evening. <script>alert(1)</script>").is_visible()
    assert page.evaluate("() => document.querySelectorAll('main script').length") == 0


def test_wrong_password_says_so(page, agent) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
