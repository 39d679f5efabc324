"""The consumer workspace in Chromium (Debian's, by path): the product brief's first
journey and a UK faulty-goods rejection, typed as a person types them, with WCAG basics
checked on the way (labels, focus order, contrast, errors tied to fields, 200% zoom).

With PLAINT_SCREENSHOTS=1 every interview step is saved at phone and desktop widths in
docs/screenshots/consumer-*.png."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from plaint.consumer.models import ConsumerCase, ConsumerLetter
from plaint.domain.consumer.questions import QUESTIONS
from plaint.domain.letters.checker import letter_check
from tests.browser.conftest import SCREENSHOTS, browser, page  # noqa: F401
from tests.consumer.journeys import (
    AFTER_COMPLAINT,
    AFTER_ESCALATION,
    DANA_CALLS,
    example,
    typed,
)

pytestmark = pytest.mark.django_db(transaction=True)

ASKED = {q.ask: q for q in QUESTIONS.values()}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_JS = Path(__file__).parent
_CONTRAST = (_JS / "contrast.js").read_text()
_UNLABELLED = (_JS / "unlabelled.js").read_text()


def wcag(page: Any) -> None:  # noqa: F811
    """Labels on every field, readable contrast, no sideways scrolling at 200% zoom."""
    assert page.evaluate(_UNLABELLED) == []
    assert page.evaluate(_CONTRAST) == []
    size = page.viewport_size
    page.set_viewport_size({"width": 640, "height": 450})  # 1280 px at 200% zoom
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size(size)


def _capture(page: Any, path: Path, *, full: bool) -> None:  # noqa: F811
    """A screenshot for the docs; Chromium under load sometimes answers "Unable to capture
    screenshot" once, so one retry after the page settles (the picture is not a check)."""
    try:
        page.screenshot(path=str(path), full_page=full)
    except PlaywrightError:
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=full)


def shoot(page: Any, name: str, *, full: bool = True) -> None:  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _capture(page, SCREENSHOTS / f"consumer-{name}-desktop.png", full=full)
    page.set_viewport_size(PHONE)
    _capture(page, SCREENSHOTS / f"consumer-{name}-phone.png", full=full)
    page.set_viewport_size(DESKTOP)


def answer_interview(page: Any, answers: dict[str, str], shots: str = "") -> list[str]:  # noqa: F811
    """Answer each screen from `answers`, skipping optional ones it does not hold, until
    the final check; returns the keys asked."""
    asked = []
    for _ in range(60):
        if page.url.endswith("/check/"):
            break
        heading = page.locator("h1").inner_text().strip()
        question = ASKED[heading]
        asked.append(question.key)
        match = re.search(r"Question (\d+) of (\d+)", page.inner_text("main"))
        assert match, page.url
        if shots:
            shoot(page, f"{shots}-{int(match[1]):02d}", full=False)
        value = answers.get(question.key)
        if value is None:
            page.get_by_role("button", name="Skip").click()
        elif question.input.value in {"choice", "yesno"}:
            page.locator(f'input[name="answer"][value="{value}"]').check()
            page.get_by_role("button", name="Save and continue").click()
        else:
            page.get_by_label(heading).fill(value)
            page.get_by_role("button", name="Save and continue").click()
        page.wait_for_load_state()
    assert page.url.endswith("/check/")
    return asked


def draft_from_check(page: Any, shots: str = "") -> ConsumerLetter:  # noqa: F811
    assert page.get_by_text("The letter checker found nothing missing.").is_visible()
    if shots:
        shoot(page, f"{shots}-check")
    page.get_by_role("button", name="Draft the letter").click()
    page.get_by_role("heading", name=re.compile("letter|notice|rejection", re.I)).first.wait_for()
    return ConsumerLetter.objects.latest("pk")


def record_sent(page: Any, method: str, on: str, tracking: str = "") -> None:  # noqa: F811
    page.get_by_label("How you sent it").select_option(method)
    page.get_by_label("Date sent").fill(on)
    if tracking:
        page.get_by_label("Tracking number (tracked or certified post)").fill(tracking)
    page.get_by_role("button", name="Record sending").click()
    page.get_by_role("heading", name="What to send next").wait_for()


@pytest.fixture
def browser_clock(settings):  # type: ignore[no-untyped-def]
    import time_machine

    from tests.consumer.journeys import DAY_ONE

    settings.SESSION_COOKIE_AGE = 3 * 365 * 24 * 3600  # the browser's own clock is not moved
    with time_machine.travel(DAY_ONE, tick=False) as traveller:
        yield traveller


def test_first_journey_in_the_browser(page, browser_clock, live_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    values = example("dana-billing-us.yaml").values
    answers = {key: typed(value) for key, value in values.items()}
    page.set_default_timeout(60_000)  # a shared, busy machine
    page.goto("/consumer/")
    # Focus order: the skip link comes first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.get_by_label("A name for this case").fill("Brightline double charge")
    page.get_by_label("United States").check()
    page.get_by_label("Your time zone").fill("America/New_York")
    page.get_by_role("button", name="Start the case").click()
    page.get_by_role("heading", name="What to send next").wait_for()
    wcag(page)
    case = ConsumerCase.objects.get()

    # Three calls, logged as they happen (date and time pre-filled with now).
    assert page.get_by_label("When", exact=True).input_value() == "2026-03-02T10:00"
    for call in DANA_CALLS:
        page.get_by_label("When", exact=True).fill(call["at"])
        page.get_by_label("How", exact=True).select_option(call["channel"])
        page.get_by_label("I contacted them").check()
        page.get_by_label("Name of the person you dealt with").fill(call["representative"])
        page.get_by_label("Ticket or reference number").fill(call["ticket_number"])
        page.get_by_label("Minutes you waited").fill(call["wait_minutes"])
        page.get_by_label("What was said or promised").fill(call["summary"])
        page.get_by_role("button", name="Log this contact").click()
        page.get_by_role("heading", name="Contact log").wait_for()
    assert case.contacts.count() == 3
    page.get_by_label(QUESTIONS["letter.statement_date"].ask).fill("2026-02-10")
    page.get_by_role("button", name="Save these dates").click()
    page.get_by_text("must reach its billing-error address by April 11, 2026").wait_for()
    assert page.get_by_text("10 Feb 2026 14:05").is_visible()  # in the case's time zone
    shoot(page, "case")

    # A bad answer is told beside the question, tied to the field, nothing lost.
    page.get_by_role("link", name="Write the complaint letter").click()
    for number, key in enumerate(
        ("customer.name", "customer.address", "business.name", "case.product"), start=1
    ):
        shoot(page, f"complaint-{number:02d}", full=False)
        page.get_by_label(QUESTIONS[key].ask).fill(answers[key])
        page.get_by_role("button", name="Save and continue").click()
    field = page.get_by_label(QUESTIONS["case.occurred_on"].ask)
    field.fill("2026-05-01")
    page.get_by_role("button", name="Save and continue").click()
    error = page.locator("#answer_error")
    assert "is in the future" in error.inner_text()
    assert "answer_error" in (field.get_attribute("aria-describedby") or "")
    assert field.input_value() == "2026-05-01"
    wcag(page)
    shoot(page, "error")
    page.get_by_role("button", name="Back").click()
    assert page.get_by_label(QUESTIONS["case.product"].ask).input_value() == answers["case.product"]
    page.get_by_role("button", name="Save and continue").click()

    asked = answer_interview(page, answers, shots="complaint")
    assert asked[0] == "case.occurred_on" and "letter.billing_address" not in asked
    wcag(page)
    complaint = draft_from_check(page, shots="complaint")
    assert letter_check(complaint.md, "complaint") == []
    shoot(page, "letter")
    record_sent(page, "certified_mail", "2026-03-02", "9400 1000 0000 0000 0001")

    # The complaint's reply date passes: escalate, listing the calls exactly.
    browser_clock.move_to(AFTER_COMPLAINT)
    page.reload()
    page.get_by_role("link", name="Write the escalation letter").click()
    answer_interview(page, answers, shots="escalation")
    escalation = draft_from_check(page)
    rows = [
        line for line in escalation.md.splitlines() if line.startswith("| ") and " min " in line
    ]
    assert len(rows) == 3
    for row, call in zip(rows, DANA_CALLS, strict=True):
        assert call["representative"] in row and f"{call['wait_minutes']} min" in row
        assert call["summary"].split(";")[0] in row.replace("\\", "")
    assert page.get_by_role("link", name=re.compile("E-mail draft")).is_visible()
    record_sent(page, "email", "2026-03-17")

    # The charges go on after the escalation's reply date: cease-and-desist.
    browser_clock.move_to(AFTER_ESCALATION)
    page.reload()
    page.get_by_label("Yes, it is still happening").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="Write the cease-and-desist letter").click()
    answer_interview(page, answers, shots="cease")
    cease = draft_from_check(page)
    assert letter_check(cease.md, "cease-and-desist") == []
    record_sent(page, "certified_mail", "2026-03-25", "9400 2222")

    # The FCBA dispute, with the date it must reach the card issuer.
    page.get_by_role("link", name="Write the fair credit billing act billing-error notice").click()
    answer_interview(page, answers, shots="fcba")
    fcba = draft_from_check(page)
    assert letter_check(fcba.md, "us-fcba-billing-error") == []
    assert page.get_by_text("April 11, 2026").first.is_visible()
    assert page.get_by_role("link", name=re.compile("cover sheet")).is_visible()
    wcag(page)

    # Each letter against the case file: nothing invented, nothing missing.
    case.refresh_from_db()
    for letter in (complaint, escalation, cease, fcba):
        for key, value in letter.fields.items():
            if key.startswith(("customer.", "business.", "case.", "letter.")) and value:
                assert key in case.answers, (letter.kind, key)
    for key in ("case.order_number", "case.account_number"):
        assert answers[key] in escalation.md.replace("\\", "")
    page.goto(f"/consumer/c/{case.pk}/")
    assert page.get_by_text("11 Apr 2026").first.is_visible()
    assert {d["day"] for d in fcba.dates.values()} >= {"2026-04-11"}
    assert date.fromisoformat(cease.dates["comply_by"]["day"]) == date(2026, 4, 8)


def test_uk_faulty_goods_rejection_in_the_browser(page, browser_clock, live_server) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    values = example("faulty-goods-uk.yaml").values
    answers = {key: typed(value) for key, value in values.items()}
    page.set_default_timeout(60_000)  # a shared, busy machine
    page.goto("/consumer/")
    page.get_by_label("A name for this case").fill("Homeheat boiler")
    page.get_by_label("United Kingdom").check()
    page.get_by_role("button", name="Start the case").click()
    page.get_by_label(QUESTIONS["letter.delivered_on"].ask).fill("2026-02-20")
    page.get_by_label(QUESTIONS["letter.fault"].ask).fill(answers["letter.fault"])
    page.get_by_role("button", name="Save these dates").click()
    page.get_by_text("the last day is 22 March 2026").wait_for()
    page.get_by_role("link", name=re.compile("Write the reject the faulty goods")).click()
    answer_interview(page, answers, shots="uk-reject")
    letter = draft_from_check(page)
    assert letter_check(letter.md, "uk-cra-short-term-rejection") == []
    assert letter.dates["reject_by"]["day"] == "2026-03-22"
    assert "HH200-5531" in letter.md and "Homeheat Appliances Ltd" in letter.md
    assert page.get_by_text("22 March 2026").first.is_visible()
    wcag(page)
