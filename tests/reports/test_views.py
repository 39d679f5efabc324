"""Item 3: the reports page, its charts, tables, CSV exports and links to the cases."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from plaint.accounts.roles import Role
from tests.conftest import _staff
from tests.reports.dataset import Dataset, build

Q = "from=2026-01-01&to=2026-02-28"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"pw-{username}-123")
    return client


@pytest.fixture
def data(org, agent) -> Dataset:
    return build(org, agent)


@pytest.fixture
def as_supervisor(supervisor) -> Client:
    return client_for("sue")


def test_roles_that_see_reports(org, agent, supervisor, data) -> None:
    _staff(org, "lee", Role.LEGAL_REVIEWER, "Lee", "Gal")
    _staff(org, "ada", Role.ADMIN, "Ada", "Admin")
    for username in ("sue", "lee", "ada"):
        page = client_for(username).get(f"/reports/?{Q}")
        assert page.status_code == 200, username
        assert 'href="/reports/"' in page.content.decode()  # the navigation link
    alice = client_for("alice")
    assert alice.get(f"/reports/?{Q}").status_code == 403
    assert alice.get("/reports/by_product.csv").status_code == 403
    assert alice.get("/reports/fca-return/").status_code == 403
    assert 'href="/reports/"' not in alice.get("/").content.decode()
    assert Client().get("/reports/").status_code == 302  # to the login page


def test_page_has_accessible_charts_without_script_and_tables(as_supervisor, data) -> None:
    page = as_supervisor.get(f"/reports/?{Q}")
    html = page.content.decode()
    assert page.status_code == 200
    svgs = re.findall(r"<svg [^>]*>", html)
    # Lines for the two trends; bars for product, category, channel, root cause, outcome
    # and workload; a histogram for ageing.
    assert len(svgs) == 9
    assert all('role="img"' in s and "aria-label=" in s for s in svgs)
    assert 'aria-label="Open cases by age (now)"' in html
    body = html.split("<main", 1)[1]
    assert "<script" not in body and "cdn" not in body.lower()
    # The table alternative of "By product", each row linked to its cases.
    assert "<td>Current account</td><td>2</td>" in html
    assert "drill=product%3ACurrent%20account" in html
    assert "/reports/by_product.csv?from=2026-01-01&amp;to=2026-02-28" in html


def test_a_figure_links_to_exactly_its_cases(as_supervisor, data) -> None:
    page = as_supervisor.get(f"/reports/cases/?{Q}&drill=deadline:HOUSE/acknowledge:late")
    html = page.content.decode()
    assert page.status_code == 200
    assert data.b.reference in html
    assert data.a.reference not in html and data.d.reference not in html
    assert "1 case" in html
    bad = as_supervisor.get(f"/reports/cases/?{Q}&drill=nonsense")
    assert bad.status_code == 400 and "is not a figure of this report" in bad.content.decode()


def test_csv_export_of_a_table(as_supervisor, data) -> None:
    response = as_supervisor.get(f"/reports/deadlines.csv?{Q}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Rule", "Title", "On time", "Late", "Missed", "Not yet due", "On time %"]
    assert ["HOUSE/acknowledge", "Acknowledge the complaint", "2", "1", "1", "0", "50.0%"] in rows
    assert as_supervisor.get(f"/reports/nothing.csv?{Q}").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-03-01&to=2026-01-01", "to: is before the first day"),
        ("from=01/01/2026", "from: &#x27;01/01/2026&#x27; is not a date"),
        ("product=Yachts", "product: &#x27;Yachts&#x27; is not the product of any case"),
        ("assignee=abc", "is not a member of staff of this organisation"),
    ],
)
def test_bad_filters_get_a_message_not_a_500(as_supervisor, data, query, message) -> None:
    page = as_supervisor.get(f"/reports/?{query}")
    assert page.status_code == 400
    assert message in page.content.decode()
    assert as_supervisor.get(f"/reports/by_month.csv?{query}").status_code == 400


def test_product_names_are_escaped_in_charts_and_tables(org, agent, as_supervisor) -> None:
    from tests.conftest import open_case

    open_case(org, agent, product='<script>alert("x")</script>')
    html = as_supervisor.get("/reports/?from=2026-01-01&to=2026-03-31").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_csv_cells_cannot_start_a_formula(org, agent, as_supervisor) -> None:
    from tests.conftest import open_case

    open_case(org, agent, product="=HYPERLINK(1)")
    response = as_supervisor.get("/reports/by_product.csv?from=2026-01-01&to=2026-03-31")
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_settings_edit_the_taxonomy_and_the_return_groups(org, agent, supervisor, data) -> None:
    sue = client_for("sue")
    page = sue.get("/reports/settings/")
    assert page.status_code == 200 and "Pricing and fees" in page.content.decode()
    assert (
        sue.post(
            "/reports/settings/", {"action": "add_cause", "label": "Courier damage"}
        ).status_code
        == 302
    )
    assert (
        sue.post("/reports/settings/", {"action": "retire_cause", "code": "policy"}).status_code
        == 302
    )
    mapped = sue.post(
        "/reports/settings/",
        {"action": "map_product", "product": "Mortgage", "group": "home_finance"},
    )
    assert mapped.status_code == 302
    html = sue.get("/reports/settings/").content.decode()
    assert "courier_damage" in html and "<code>policy</code>" not in html
    assert '<option value="home_finance" selected>' in html
    bad = sue.post("/reports/settings/", {"action": "add_cause", "label": "Systems"})
    assert bad.status_code == 400 and "already has a root cause coded" in bad.content.decode()
    assert sue.post("/reports/settings/", {"action": "explode"}).status_code == 400
    # The case page's close form offers the edited list.
    close = client_for("alice").get(f"/cases/{data.d.reference}/").content.decode()
    assert "Courier damage" in close
    _staff(org, "lee", Role.LEGAL_REVIEWER, "Lee", "Gal")
    assert client_for("lee").get("/reports/settings/").status_code == 403
    assert client_for("alice").get("/reports/settings/").status_code == 403
