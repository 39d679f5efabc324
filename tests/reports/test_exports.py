"""XLSX downloads of the report and of the FCA return: the same rows as their CSVs, text
kept as text, bad filters refused with a message."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from plaint.domain.returns.fca import ProductGroup
from plaint.reports import services
from tests.conftest import open_case
from tests.reports.dataset import NOW, Dataset, build

Q = "from=2026-01-01&to=2026-02-28"


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=f"pw-{username}-123")
    return client


def _sheets(content: bytes) -> dict[str, list[list[str]]]:
    """Every sheet's cells as the text a CSV of them would hold."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {
        ws.title: [
            ["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)
        ]
        for ws in book.worksheets
    }


@pytest.fixture
def data(org, agent, supervisor) -> Dataset:
    return build(org, agent)


def test_report_workbook_has_every_table_with_its_csv_rows(data) -> None:
    sue = _client("sue")
    response = sue.get(f"/reports/report.xlsx?{Q}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="plaint-report-2026-01-01-2026-02-28.xlsx"' in response["Content-Disposition"]
    sheets = _sheets(response.content)
    assert "Deadlines by rule" in sheets and "By product" in sheets
    deadlines = list(
        csv.reader(io.StringIO(sue.get(f"/reports/deadlines.csv?{Q}").content.decode()))
    )
    got = sheets["Deadlines by rule"]
    assert got == deadlines
    assert ["HOUSE/acknowledge", "Acknowledge the complaint", "2", "1", "1", "0", "50.0%"] in got
    # Counts are numbers in the workbook, not text.
    book = load_workbook(io.BytesIO(response.content))
    assert isinstance(book["By product"]["B2"].value, int)


def test_workbook_text_is_never_a_formula_and_control_characters_go(org, agent, supervisor) -> None:
    open_case(org, agent, product="=HYPERLINK(1)")
    open_case(org, agent, product="Car\x07 loan")  # a bell: no XML for it
    response = _client("sue").get("/reports/report.xlsx?from=2026-01-01&to=2026-03-31")
    book = load_workbook(io.BytesIO(response.content))
    cells = {c.value: c.data_type for row in book["By product"].iter_rows() for c in row}
    assert cells["=HYPERLINK(1)"] == "s"
    assert "Car loan" in cells


def test_workbooks_refuse_bad_filters_and_agents(data) -> None:
    sue = _client("sue")
    bad = sue.get("/reports/report.xlsx?from=2026-03-01&to=2026-01-01")
    assert bad.status_code == 400 and "to: is before the first day" in bad.content.decode()
    bad = sue.get("/reports/fca-return.xlsx?year=2026&half=7")
    assert bad.status_code == 400 and "must be 1" in bad.content.decode()
    alice = _client("alice")
    assert alice.get(f"/reports/report.xlsx?{Q}").status_code == 403
    assert alice.get("/reports/fca-return.xlsx").status_code == 403


def test_return_workbook_matches_its_csv(org, supervisor, data) -> None:
    for product, group in (
        ("Current account", ProductGroup.BANKING.value),
        ("Credit card", ProductGroup.BANKING.value),
        ("Mortgage", ProductGroup.HOME_FINANCE.value),
    ):
        services.return_product_map_set(
            organisation=org, product=product, group=group, actor=supervisor, now=NOW
        )
    sue = _client("sue")
    period = "from=2026-01-01&to=2026-06-30"
    rows = list(
        csv.reader(io.StringIO(sue.get(f"/reports/fca-return.csv?{period}").content.decode()))
    )
    sheets = _sheets(sue.get(f"/reports/fca-return.xlsx?{period}").content)
    assert list(sheets) == ["Return", "Cases", "Notes"]
    gap = rows.index([])
    assert sheets["Return"] == rows[:gap]
    assert sheets["Cases"] == rows[gap + 1 :]
    assert [
        data.e.reference,
        "Home finance",
        "outstanding_at_start closed after_8_weeks upheld",
    ] in sheets["Cases"]
    notes = " ".join(cell for row in sheets["Notes"] for cell in row)
    assert "Unverified" in notes and "not legal advice" in notes
