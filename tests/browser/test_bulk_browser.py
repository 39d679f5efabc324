"""Bulk actions in a real browser: tick rows on the queue, run an action, read the result;
a background job's progress page updates itself (htmx polling, no inline script)."""

from __future__ import annotations

from plaint.bulk.models import BulkJob
from plaint.bulk.services import bulk_job_run
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import NOW, open_case


def _csp_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return errors


def test_tick_rows_move_them_and_see_the_refusal(page, org, agent, supervisor) -> None:
    received = [open_case(org, agent, product=f"Broadband {i}") for i in range(2)]
    resolved = open_case(org, agent, product="Energy supply")
    case_services.case_transition(case=resolved, to="resolved", actor=Actor.staff(agent), now=NOW)
    untouched = open_case(org, agent, product="Water")
    errors = _csp_errors(page)
    sign_in(page, "sue", "pw-sue-123")
    for case in (*received, resolved):
        page.get_by_label(f"Select {case.reference}").check()
    page.get_by_label("Bulk action").select_option("transition")
    page.get_by_label("New status").select_option("investigating")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "desk-bulk-selection.png"), full_page=True)
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("heading", name="Result").wait_for()
    summary = page.locator(".bulk-summary").inner_text()
    assert summary.startswith("2 cases changed, 1 refused")
    refusals = page.locator("#bulk-refusals")
    assert resolved.reference in refusals.inner_text()
    assert "cannot move from resolved to investigating" in refusals.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "desk-bulk-result.png"), full_page=True)
    for case in received:
        case.refresh_from_db()
        assert case.status == "investigating"
    untouched.refresh_from_db()
    assert untouched.status == "received"
    assert errors == []


def test_background_job_progress_updates_itself(page, org, agent, supervisor, settings) -> None:
    settings.PLAINT_BULK_BACKGROUND_OVER = 2
    cases = [open_case(org, agent, priority="low") for _ in range(3)]
    errors = _csp_errors(page)
    sign_in(page, "sue", "pw-sue-123")
    page.get_by_label("all 3 matching this filter").check()
    page.get_by_label("Bulk action").select_option("priority")
    page.get_by_label("New priority").select_option("high")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("heading", name="In progress").wait_for()
    assert "0 of 3 dealt with" in page.locator("#bulk-progress").inner_text()
    job = BulkJob.objects.get()
    bulk_job_run(job_id=job.pk, now=NOW)  # what the worker's task does
    page.get_by_role("heading", name="Result").wait_for()  # the poll brought it in
    assert page.locator(".bulk-summary").inner_text().startswith("3 cases changed, 0 refused")
    for case in cases:
        case.refresh_from_db()
        assert case.priority == "high"
    assert errors == []
