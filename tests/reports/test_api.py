"""The reports over the API: the same tables as the desk's CSVs, the FCA return with its
cases, refused filters as 422 problems, agents' and scope-less tokens refused."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from plaint.accounts.roles import Role
from plaint.api import tokens
from plaint.domain.returns.fca import ProductGroup
from plaint.reports import services
from tests.conftest import NOW, _staff
from tests.reports.dataset import Dataset, build

Q = {"from": "2026-01-01", "to": "2026-02-28"}


def _admin(org):  # type: ignore[no-untyped-def]
    from plaint.accounts.models import User

    found = User.objects.filter(organisation=org, username="ada").first()
    return found or _staff(org, "ada", Role.ADMIN, "Ada", "Admin")


def _token(owner, scopes=("read",)) -> dict[str, str]:  # type: ignore[no-untyped-def]
    made = tokens.token_create(
        organisation=owner.organisation,
        owner=owner,
        name=f"t{tokens.ApiToken.objects.count()}",
        scopes=list(scopes),
        actor=_admin(owner.organisation),
        now=NOW,
    )
    return {"Authorization": f"Bearer {made.secret}"}


@pytest.fixture
def data(org, agent, supervisor) -> Dataset:
    return build(org, agent)


def test_report_tables_match_the_csv(supervisor, data) -> None:
    response = Client().get("/api/v1/reports", Q, headers=_token(supervisor))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["first"] == "2026-01-01" and body["total"] == 4  # A-D; E was received in December
    tables = {t["name"]: t for t in body["tables"]}
    web = Client()
    assert web.login(username="sue", password="pw-sue-123")
    rows = list(csv.reader(io.StringIO(web.get("/reports/deadlines.csv", Q).content.decode())))
    got = tables["deadlines"]
    assert got["headers"] == rows[0]
    assert [[str(c) for c in r["cells"]] for r in got["rows"]] == rows[1:]
    late = next(r for r in got["rows"] if r["cells"][0] == "HOUSE/acknowledge")
    assert late["cells"][3] == 1  # a number, not text
    # The row's link lists exactly its cases.
    listed = web.get(late["cases"]).content.decode()
    assert data.b.reference in listed and data.a.reference not in listed


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-01", "to": "2026-01-01"}, "to"),
        ({"from": "01/01/2026"}, "from"),
        ({"product": "Yachts"}, "product"),
        ({"assignee": "abc"}, "assignee"),
    ],
)
def test_bad_filters_are_422_naming_the_field(supervisor, data, query, field) -> None:
    response = Client().get("/api/v1/reports", query, headers=_token(supervisor))
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_agents_and_tokens_without_read_are_refused(agent, supervisor, data) -> None:
    refused = Client().get("/api/v1/reports", Q, headers=_token(agent))
    assert refused.status_code == 403 and "may not see reports" in refused.json()["detail"]
    no_read = Client().get("/api/v1/reports/fca-return", headers=_token(supervisor, ("write",)))
    assert no_read.status_code == 403
    assert Client().get("/api/v1/reports").status_code == 401


def test_fca_return_with_its_cases(org, supervisor, data) -> None:
    for product, group in (
        ("Current account", ProductGroup.BANKING.value),
        ("Credit card", ProductGroup.BANKING.value),
        ("Mortgage", ProductGroup.HOME_FINANCE.value),
    ):
        services.return_product_map_set(
            organisation=org, product=product, group=group, actor=supervisor, now=NOW
        )
    client, auth = Client(), _token(supervisor)
    body = client.get("/api/v1/reports/fca-return", {"year": 2026, "half": 1}, headers=auth).json()
    rows = {r["group"]: r for r in body["rows"]}
    bank = rows[ProductGroup.BANKING.value]
    assert bank["figures"]["opened"] == 3 and bank["figures"]["within_3_business_days"] == 1
    assert bank["cases"]["within_3_business_days"] == [data.a.reference]
    assert bank["redress_paid"] == {"GBP": "50.00"}
    assert body["totals"]["opened"] == 4
    assert "not legal advice" in body["notice"]
    bad = client.get("/api/v1/reports/fca-return", {"year": 2026, "half": 7}, headers=auth)
    assert bad.status_code == 422 and "must be 1" in bad.content.decode()
    assert client.get("/api/v1/reports/fca-return", headers=auth).status_code == 422
