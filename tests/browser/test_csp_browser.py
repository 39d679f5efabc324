"""The Content-Security-Policy in a real browser: the desk's queue, a case page with a
letter preview, htmx actions, the reports page's charts and the API's interactive docs all
work under it, and Chromium reports no violation at all (console or
`securitypolicyviolation` event)."""

from __future__ import annotations

from typing import Any

import pytest

from plaint.cases.ledger import Actor
from plaint.letters.services import letter_generate
from tests.browser.conftest import sign_in
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db(transaction=True)

#: Runs before any page script (Playwright injects it through the DevTools protocol, which
#: the page's policy does not govern) and keeps every violation the page reports.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(page: Any) -> list[str]:
    """Console messages about the policy, and the violation events, of every page."""
    seen: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: seen.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return seen


def _violations(page: Any, console: list[str]) -> list[str]:
    events: list[str] = page.evaluate("() => window.__csp || []")
    return [*console, *events]


def test_the_desk_works_under_the_policy_without_a_single_violation(
    page, live_server, org, agent
) -> None:  # type: ignore[no-untyped-def]
    case = open_case(org, agent, product="Broadband")
    open_case(org, agent, product="Energy supply")
    letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, formats=("html",)
    )
    console = _watch(page)
    sign_in(page, "alice", "pw-alice-123")
    assert page.get_by_text("2 cases").is_visible()
    # htmx on the queue: the filter swaps the results in
    page.get_by_role("combobox", name="Product").select_option("Broadband")
    page.get_by_text("1 case", exact=True).wait_for()
    assert _violations(page, console) == []

    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("heading", name="Timeline").wait_for()
    page.locator(".kept-letters summary", has_text="Preview").first.click()
    preview = page.frame_locator("iframe.letter-preview").first
    preview.locator("body").wait_for()  # the sandboxed letter preview, under its own policy
    # htmx on the case page: take the case, then add a note (both boosted forms)
    page.get_by_role("button", name="Take this case").click()
    page.get_by_text("Assigned to Alice Agent").first.wait_for()
    page.locator("summary", has_text="Add a note").click()
    note = page.locator("#note")
    note.locator("textarea").fill("Called the customer back under a strict policy.")
    note.get_by_role("button", name="Add note").click()
    page.get_by_text("Called the customer back under a strict policy.").first.wait_for()
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    assert _violations(page, console) == []


def test_the_charts_and_the_api_docs_work_under_the_policy(
    page, live_server, org, supervisor, agent
) -> None:  # type: ignore[no-untyped-def]
    for product in ("Broadband", "Broadband", "Energy supply"):
        open_case(org, agent, product=product)
    console = _watch(page)
    sign_in(page, "sue", "pw-sue-123")
    page.goto("/reports/")
    chart = page.get_by_role("img", name="By product")
    chart.wait_for()
    # the chart's own <style> applied (by nonce): its plot background is pygal's white
    fill = chart.locator(".plot > .background").first.evaluate("(el) => getComputedStyle(el).fill")
    assert fill == "rgb(255, 255, 255)"
    assert _violations(page, console) == []

    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()  # Swagger UI ran and drew the API
    assert page.locator(".opblock").count() > 0
    assert _violations(page, console) == []
