"""Item 4: the FCA complaints return, against a worked example whose bands were computed
by hand, then end to end from cases made through the services."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from plaint.domain.deadlines.calendars import calendar_for
from plaint.domain.errors import FieldErrors
from plaint.domain.returns.fca import (
    UNMAPPED,
    Band,
    CaseFacts,
    ProductGroup,
    band,
    fca_return,
)
from plaint.domain.returns.periods import Period, half_year, period_make
from plaint.reports import services
from plaint.reports.selectors import fca_return_build
from tests.reports.dataset import NOW, build

LONDON = ZoneInfo("Europe/London")
ENG = calendar_for("GB-ENG")
H1 = half_year(2026, 1)
BANK, INS = ProductGroup.BANKING.value, ProductGroup.INSURANCE.value


def t(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, 0, tzinfo=UTC)


def facts(ref, group, received, closed=None, outcome="", paid=()) -> CaseFacts:
    return CaseFacts(ref, group, received, closed, outcome, tuple(paid))


WORKED = [
    # Outstanding at the start; closed 20 Jan, inside 8 weeks of 15 Dec (9 Feb).
    facts("R1", BANK, t(2025, 12, 15), t(2026, 1, 20), "upheld", [("GBP", Decimal("100"))]),
    # Received Monday 5 Jan; the 3rd business day after is Thursday 8 Jan.
    facts("R2", BANK, t(2026, 1, 5), t(2026, 1, 8, 16), "not_upheld"),
    # Received on Good Friday (3 Apr 2026); Easter Monday is a holiday too, so the 3rd
    # business day after is Thursday 9 Apr, not Monday 6.
    facts("R3", BANK, t(2026, 4, 3), t(2026, 4, 9, 14), "partly_upheld", [("EUR", Decimal("30"))]),
    # Closed 20 May: more than 8 weeks after 2 Mar (27 Apr). Two payments in GBP.
    facts(
        "R4",
        INS,
        t(2026, 3, 2),
        t(2026, 5, 20),
        "upheld",
        [("GBP", Decimal("50")), ("GBP", Decimal("25"))],
    ),
    facts("R5", INS, t(2026, 6, 10)),  # open at the end
    facts("R6", ProductGroup.HOME_FINANCE.value, t(2025, 11, 1), t(2025, 12, 20), "upheld"),
    facts("R7", UNMAPPED, t(2026, 2, 1)),  # a product not mapped to a group
    facts("R8", BANK, t(2026, 7, 2)),  # received after the period
    facts("R9", BANK, t(2026, 6, 29), t(2026, 7, 3), "upheld"),  # closed after the period
    facts("R10", ProductGroup.INVESTMENTS.value, t(2025, 10, 1)),  # open throughout
    facts("R11", UNMAPPED, t(2026, 2, 2), t(2026, 2, 3), "not_upheld"),  # another unmapped
]


def test_bands_computed_by_hand() -> None:
    assert band(t(2026, 1, 5), t(2026, 1, 8, 16), ENG, LONDON) is Band.WITHIN_3_BUSINESS_DAYS
    assert band(t(2026, 1, 5), t(2026, 1, 9), ENG, LONDON) is Band.WITHIN_8_WEEKS
    assert band(t(2026, 4, 3), t(2026, 4, 9, 14), ENG, LONDON) is Band.WITHIN_3_BUSINESS_DAYS
    assert band(t(2026, 3, 2), t(2026, 4, 27, 9), ENG, LONDON) is Band.WITHIN_8_WEEKS
    assert band(t(2026, 3, 2), t(2026, 4, 27, 10), ENG, LONDON) is Band.AFTER_8_WEEKS


def test_the_worked_example() -> None:
    ret = fca_return(WORKED, period=H1, calendar=ENG, zone=LONDON)
    rows = {row.group: row for row in ret.rows}
    bank = rows[BANK]
    assert {k: sorted(v) for k, v in bank.cases.items() if v} == {
        "outstanding_at_start": ["R1"],
        "opened": ["R2", "R3", "R9"],
        "closed": ["R1", "R2", "R3"],
        "within_3_business_days": ["R2", "R3"],
        "within_8_weeks": ["R1"],
        "upheld": ["R1", "R3"],
        "outstanding_at_end": ["R9"],
    }
    assert bank.redress_paid == {"GBP": Decimal("100"), "EUR": Decimal("30")}
    ins = rows[INS]
    assert [ins.count(k) for k in ("opened", "closed", "after_8_weeks", "upheld")] == [2, 1, 1, 1]
    assert ins.redress_paid == {"GBP": Decimal("75")}
    assert rows[ProductGroup.INVESTMENTS.value].cases["outstanding_at_start"] == ["R10"]
    assert rows[ProductGroup.HOME_FINANCE.value].count("closed") == 0  # R6 ended before
    assert rows[UNMAPPED].cases["opened"] == ["R7", "R11"]
    totals = {
        k: ret.total(k)
        for k in (
            "outstanding_at_start",
            "opened",
            "closed",
            "within_3_business_days",
            "within_8_weeks",
            "after_8_weeks",
            "upheld",
            "outstanding_at_end",
        )
    }
    assert totals == {
        "outstanding_at_start": 2,
        "opened": 7,
        "closed": 5,
        "within_3_business_days": 3,
        "within_8_weeks": 1,
        "after_8_weeks": 1,
        "upheld": 3,
        "outstanding_at_end": 4,
    }
    assert ret.warnings == [
        "2 complaints are about products not mapped to a return product group; map them "
        "in the report settings before filing."
    ]


def test_from_2027_the_return_warns_that_ps25_19_replaces_it() -> None:
    ret = fca_return([], period=half_year(2027, 1), calendar=ENG, zone=LONDON)
    assert any("PS25/19" in w for w in ret.warnings)
    assert all(row.count("opened") == 0 for row in ret.rows)  # zeros, not blanks


def test_periods_refuse_nonsense() -> None:
    with pytest.raises(FieldErrors, match="must be 1"):
        half_year(2026, 3)
    with pytest.raises(FieldErrors, match="is before the first day"):
        period_make(date(2026, 6, 30), date(2026, 1, 1))
    assert period_make(date(2026, 1, 1), date(2026, 6, 30)) == Period(
        date(2026, 1, 1), date(2026, 6, 30)
    )


@pytest.fixture
def mapped(org, agent, supervisor):
    data = build(org, agent)
    for product, group in (
        ("Current account", BANK),
        ("Credit card", BANK),
        ("Mortgage", ProductGroup.HOME_FINANCE.value),
    ):
        services.return_product_map_set(
            organisation=org, product=product, group=group, actor=supervisor, now=NOW
        )
    return data


def test_the_return_from_cases(org, mapped) -> None:
    d = mapped
    ret = fca_return_build(organisation=org, period=H1)
    rows = {row.group: row for row in ret.rows}
    bank, home = rows[BANK], rows[ProductGroup.HOME_FINANCE.value]
    assert sorted(bank.cases["opened"]) == sorted([d.a.reference, d.b.reference, d.c.reference])
    assert bank.cases["within_3_business_days"] == [d.a.reference]
    assert bank.cases["within_8_weeks"] == [d.b.reference]
    assert bank.cases["outstanding_at_end"] == [d.c.reference]  # reopened: open again
    assert bank.redress_paid == {"GBP": Decimal("50.00")}  # the EUR offer was rejected
    assert home.cases["outstanding_at_start"] == [d.e.reference]
    assert home.cases["after_8_weeks"] == [d.e.reference]
    assert home.cases["opened"] == [d.d.reference]
    assert home.redress_paid == {"GBP": Decimal("10.00")}
    assert ret.warnings == []


def test_mapping_refuses_unknown_groups(org, supervisor) -> None:
    with pytest.raises(FieldErrors, match="'savings' is not one of"):
        services.return_product_map_set(
            organisation=org, product="ISA", group="savings", actor=supervisor, now=NOW
        )


def test_return_page_and_csv(org, mapped, supervisor) -> None:
    client = Client()
    assert client.login(username="sue", password="pw-sue-123")
    page = client.get("/reports/fca-return/?year=2026&half=1")
    html = page.content.decode()
    assert page.status_code == 200 and "Banking and credit cards" in html
    assert "Unverified" in html and "not legal advice" in html
    response = client.get("/reports/fca-return.csv?from=2026-01-01&to=2026-06-30")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == [
        "Product group",
        "Outstanding at the start of the period",
        "Opened in the period",
        "Closed in the period",
    ]
    assert rows[1] == [
        "Banking and credit cards",
        "0",
        "3",
        "2",
        "1",
        "1",
        "0",
        "1",
        "1",
        "GBP 50.00",
    ]
    assert [
        mapped.e.reference,
        "Home finance",
        "outstanding_at_start closed after_8_weeks upheld",
    ] in rows
    bad = client.get("/reports/fca-return/?year=2026&half=7")
    assert bad.status_code == 400 and "must be 1 (January to June)" in bad.content.decode()
    assert client.get("/reports/fca-return/?year=abc").status_code == 400


def test_the_reports_command(org, mapped) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command(
        "reports", "fca-return", "--org", "acme", "--year", "2026", "--half", "1", stdout=out
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[1][:4] == ["Banking and credit cards", "0", "3", "2"]
    out = io.StringIO()
    call_command(
        "reports",
        "--org",
        "acme",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-28",
        "--table",
        "by_product",
        stdout=out,
    )
    assert "Current account,2" in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is before the first day"):
        call_command("reports", "--org", "acme", "--from", "2026-03-01", "--to", "2026-01-01")
    with pytest.raises(CommandError, match="No organisation 'nope'"):
        call_command("reports", "--org", "nope")
