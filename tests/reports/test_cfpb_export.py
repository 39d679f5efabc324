"""Item 5: the CFPB-style export, with company response and timeliness from the record."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

from django.test import Client

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain.cfpb import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from plaint.domain.returns.cfpb import COLUMNS
from tests.conftest import open_case

T0 = datetime(2026, 2, 2, 15, tzinfo=UTC)


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=UTC)


def test_columns_are_the_ones_the_importer_reads() -> None:
    assert set(COLUMNS) == set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    assert len(COLUMNS) == 18


def test_export_rows_from_the_record(org, agent, supervisor) -> None:
    me = Actor.staff(agent)
    fast = open_case(org, agent, regime="US-CFPB", channel="web", received_at=at(2), now=at(2))
    services.case_milestone_record(
        case=fast, milestone="company_response_sent", at=at(5), actor=me, now=at(5)
    )
    services.case_transition(case=fast, to="investigating", actor=me, now=at(5))
    offer = services.case_offer_record(
        case=fast, redress="refund", amount=Decimal("84.20"), currency="USD", actor=me, now=at(6)
    )
    services.case_offer_answer(offer=offer, accepted=True, actor=me, now=at(7))
    services.case_close(
        case=fast, outcome="upheld", root_cause_code="pricing_fees", actor=me, now=at(8)
    )
    slow = open_case(org, agent, regime="US-CFPB", channel="letter", received_at=at(2), now=at(2))
    services.case_milestone_record(
        case=slow, milestone="company_response_sent", at=at(20), actor=me, now=at(20)
    )
    plain = open_case(org, agent, channel="phone", received_at=at(3), now=at(3))
    for case in (fast, slow, plain):
        case_deadlines_refresh(case=Case.objects.get(pk=case.pk), now=at(25))
    client = Client()
    assert client.login(username="sue", password="pw-sue-123")
    response = client.get("/reports/cfpb-export.csv?from=2026-02-01&to=2026-02-28")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_id = {row["Complaint ID"]: row for row in rows}
    f, s, p = by_id[fast.reference], by_id[slow.reference], by_id[plain.reference]
    assert (f["Company response to consumer"], f["Timely response?"]) == (
        "Closed with monetary relief",
        "Yes",
    )
    assert (f["Submitted via"], f["Date received"], f["Company"]) == (
        "Web",
        "2026-02-02",
        "Acme Energy",
    )
    assert (s["Company response to consumer"], s["Timely response?"]) == ("In progress", "No")
    assert s["Submitted via"] == "Postal mail"
    assert (p["Timely response?"], p["Consumer disputed?"]) == ("", "N/A")
