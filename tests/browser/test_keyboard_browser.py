"""Keyboard shortcuts driven with real key presses in the system chromium: the queue (j/k,
Enter/o, a), the case page (n, c, r), the list on "?", keys ignored while typing, and a
visible focus on whatever the keys reach. Runs on the real clock; asserts nothing about
the day."""

from __future__ import annotations

from plaint.cases.models import Case
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import open_case


def current(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "() => document.querySelector('#case-table tr.kbd-current')?.dataset.reference || ''"
    )


def focused(page, what: str = "id") -> str:  # type: ignore[no-untyped-def]
    return page.evaluate(f"() => document.activeElement.{what} || ''")


def outline(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")


def test_queue_and_case_page_by_keyboard(page, org, agent) -> None:
    cases = [open_case(org, agent, product=f"Product {n}") for n in range(3)]
    sign_in(page, "alice", "pw-alice-123")
    rows = page.locator("#case-table tbody tr[data-reference]")
    assert rows.count() == 3
    order = [rows.nth(i).get_attribute("data-reference") for i in range(3)]
    page.locator("body").click(position={"x": 5, "y": 300})  # nothing focused
    page.keyboard.press("j")
    assert current(page) == order[0] and focused(page, "textContent") == order[0]
    assert outline(page) != "none"  # the focus shows
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")  # stays on the last row
    assert current(page) == order[2]
    page.keyboard.press("k")
    assert current(page) == order[1]
    # "a": assign the chosen case to me, and come back to the queue.
    with page.expect_navigation():
        page.keyboard.press("a")
    page.locator("#case-table").wait_for()
    assert page.url.endswith("/")
    assigned = Case.objects.get(reference=order[1])
    assert assigned.assignee_id == agent.pk
    row = page.locator(f'tr[data-reference="{order[1]}"]')
    assert row.get_attribute("data-assignee") == str(agent.pk)
    # "o" opens; Enter on the focused row opens too.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/cases/{order[0]}/")
    page.go_back()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/cases/{order[1]}/")
    page.get_by_role("heading", name="Timeline").wait_for()
    # Case page: n, c, r each open their form and put the cursor in it.
    page.keyboard.press("n")
    assert focused(page) == "id_note_text" and outline(page) != "none"
    page.keyboard.type("Called back; j and k and ? are just letters here")
    assert page.locator("#shortcuts").get_attribute("open") is None
    assert page.locator("#id_note_text").input_value().endswith("are just letters here")
    page.keyboard.press("Tab")  # the visibility choice, then the button: no mouse needed
    page.keyboard.press("Tab")
    assert focused(page, "textContent") == "Add note" and outline(page) != "none"
    page.keyboard.press("Enter")
    page.locator(".timeline").get_by_text("Called back; j and k").wait_for()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("c")
    assert focused(page) == "id_contact_contact_at"
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("r")
    assert focused(page) == "mail-text"
    page.locator("body").click(position={"x": 5, "y": 5})
    # "?" lists them all; Escape closes the list.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.wait_for()
    for key in (
        "Next / previous case",
        "Open the case",
        "Assign the case to me",
        "Add a note",
        "Log a contact",
        "Reply to the customer by e-mail",
    ):
        assert dialog.get_by_text(key).is_visible(), key
    page.screenshot(path=str(SCREENSHOTS / "desk-keyboard-shortcuts.png"))
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    # The "Shortcuts" button in the header opens the same list, by keyboard too.
    page.get_by_role("button", name="Shortcuts").focus()
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.keyboard.press("Escape")
    assert cases  # the three cases were the queue
