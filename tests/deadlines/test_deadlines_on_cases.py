"""Issue 10 on real cases: what the deadline table and the portal say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.services import case_deadlines_refresh
from tests.conftest import open_case
from tests.portal.helpers import portal_token

RECEIVED = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday
STAFF = Actor.system("test")
LATER = datetime(2026, 6, 1, 9, tzinfo=UTC)  # when the facts are recorded


def rows(case: Case) -> dict[str, CaseDeadline]:
    return {d.key: d for d in CaseDeadline.objects.filter(case=case)}


def desk_page(case: Case) -> str:
    client = Client()
    assert client.login(username="alice", password="pw-alice-123")
    return client.get(f"/cases/{case.reference}/").content.decode()


def portal_page(case: Case) -> str:
    return (
        Client()
        .get(f"/complain/{case.organisation.slug}/case/{portal_token(case)}/")
        .content.decode()
    )


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_met_while_paused_is_met(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="UK-CRA-GOODS")
    for name, when in (
        ("goods_delivered", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("repair_requested", datetime(2026, 3, 10, 12, tzinfo=UTC)),
        ("goods_rejected", datetime(2026, 3, 15, 12, tzinfo=UTC)),
    ):
        services.case_milestone_record(case=case, milestone=name, at=when, actor=STAFF, now=LATER)
    case_deadlines_refresh(case=case, now=LATER)
    row = rows(case)["UK-CRA-GOODS/short-term-reject"]
    assert row.state == "met" and row.met_at == datetime(2026, 3, 15, 12, tzinfo=UTC)


def test_an_offer_does_not_meet_the_response_deadline_nor_show_done(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="")
    services.case_transition(case=case, to="acknowledged", actor=STAFF, now=RECEIVED)
    services.case_transition(case=case, to="investigating", actor=STAFF, now=RECEIVED)
    offered = datetime(2026, 3, 10, 9, tzinfo=UTC)
    services.case_offer_record(
        case=case, redress="apology", actor=STAFF, now=offered, description="Sorry."
    )
    case_deadlines_refresh(case=case, now=offered)
    assert rows(case)["HOUSE/respond"].state == "open"
    assert "done" not in portal_page(case).split("Send a full response", 1)[1].split("</li>")[0]


def test_a_late_deadline_shows_met_late_with_the_day_it_was_met(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="UK-FCA-DISP")
    # The final response went on 20 Apr (HOUSE/respond was due Mon 30 Mar); it is recorded
    # weeks later: the met date is the day it happened, not the day it was recorded.
    sent = datetime(2026, 4, 20, 9, tzinfo=UTC)
    services.case_milestone_record(
        case=case, milestone="final_response_sent", at=sent, actor=STAFF, now=LATER
    )
    case_deadlines_refresh(case=case, now=LATER)
    row = rows(case)["HOUSE/respond"]
    assert row.met_at == sent and row.met_late
    assert not rows(case)["UK-FCA-DISP/final-response"].met_late
    page = desk_page(case)
    assert "Met late</strong> 20 Apr 2026" in page
    assert "Met 20 Apr 2026" in page  # the 8-week final response was in time
    assert "done late, on 20 April 2026" in portal_page(case)


def test_fcba_resolution_shows_as_provisional(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="US-FCBA")
    services.case_milestone_record(
        case=case, milestone="billing_notice_received", at=RECEIVED, actor=STAFF, now=LATER
    )
    case_deadlines_refresh(case=case, now=LATER)
    row = rows(case)["US-FCBA/resolution"]
    assert "second billing cycle closes" in row.provisional
    assert "provisional</span>" in desk_page(case)


def explain(case: Case, *extra: str) -> str:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "deadlines", "explain", case.reference, "--org", case.organisation.slug, *extra, stdout=out
    )
    return out.getvalue()


def test_explain_says_what_each_rule_is_and_counts_on(org, agent) -> None:
    from plaint.accounts.models import ClosureDay

    ClosureDay.objects.create(organisation=org, day=datetime(2026, 3, 3).date(), reason="stocktake")
    case = open_case(org, agent, received_at=RECEIVED, regime="UK-FCA-DISP")
    services.case_milestone_record(
        case=case,
        milestone="final_response_sent",
        at=datetime(2026, 3, 20, 9, tzinfo=UTC),
        actor=STAFF,
        now=LATER,
    )
    text = explain(case)
    assert "UK-FCA-DISP (version 2026-12-01.1)" in text and "HOUSE (version" in text
    assert "The 8-week clock does not stop." in text  # the rule's plain description
    assert "counts on: public calendar — FCA Glossary" in text
    assert "counts on: organisation calendar" in text
    assert "counts on: every calendar day" in text.split("UK-FCA-DISP/final-response", 1)[1]
    # The FOS window is the customer's and ends on Sun 20 Sep 2026, which does not move.
    fos = text.split("UK-FCA-DISP/fos-referral", 1)[1]
    assert "customer's window closes: end of Sun 20 Sep 2026" in fos
    assert "warning: the last day, Sun 20 Sep 2026, is not a working day (Sunday)" in fos
    assert "the customer's time ends by the end of Sun 20 Sep 2026" in fos
    assert "due:" not in fos.split("\n\n")[0]


def test_explain_shows_cra_days_used_and_remaining(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="UK-CRA-GOODS")
    for name, when in (
        ("goods_delivered", datetime(2026, 3, 1, 12, tzinfo=UTC)),
        ("repair_requested", datetime(2026, 3, 5, 12, tzinfo=UTC)),
        ("repaired_goods_received", datetime(2026, 3, 8, 12, tzinfo=UTC)),
    ):
        services.case_milestone_record(case=case, milestone=name, at=when, actor=STAFF, now=LATER)
    text = explain(case, "--as-of", "2026-03-11")
    assert "on Wed 11 Mar 2026: 6 of 30 days used, 24 days remaining (4 paused)" in text
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        explain(case, "--as-of", "11/03/2026")


def test_existing_non_gb_organisations_get_their_countrys_calendar(org) -> None:
    import importlib

    from django.apps import apps

    from plaint.accounts.models import Organisation

    Organisation.objects.filter(pk=org.pk).update(country="US", holiday_calendar="GB-ENG")
    migration = importlib.import_module(
        "plaint.accounts.migrations.0004_holiday_calendar_follows_country"
    )
    migration.forwards(apps, None)
    assert Organisation.objects.get(pk=org.pk).holiday_calendar == "US"
