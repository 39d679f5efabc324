"""The reports page in a browser: a supervisor reads a chart, follows a bar to its cases,
and the FCA return renders."""

from __future__ import annotations

import pytest

from plaint.reports.services import return_product_map_set
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.reports.dataset import NOW, build

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_follows_a_chart_to_its_cases(
    page, live_server, org, agent, supervisor
) -> None:
    data = build(org, agent)
    for product, group in (
        ("Current account", "banking_credit_cards"),
        ("Credit card", "banking_credit_cards"),
        ("Mortgage", "home_finance"),
    ):
        return_product_map_set(
            organisation=org, product=product, group=group, actor=supervisor, now=NOW
        )
    sign_in(page, "sue", "pw-sue-123")
    page.get_by_role("link", name="Reports").click()
    page.goto("/reports/?from=2026-01-01&to=2026-02-28")
    chart = page.get_by_role("img", name="By product")
    chart.wait_for()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reports.png"), full_page=True)
    # A bar is a link to the cases behind it.
    chart.locator("a").first.click()
    page.wait_for_url("**/reports/cases/**")
    assert page.get_by_role("link", name=data.a.reference).is_visible()
    page.goto("/reports/fca-return/?from=2026-01-01&to=2026-06-30")
    page.get_by_role("heading", name="FCA complaints return").wait_for()
    assert page.get_by_role("cell", name="Banking and credit cards").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "fca-return.png"), full_page=True)
