"""Queues and extra filters on the case list."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.deadlines.services import case_deadlines_refresh
from plaint.triage.services import triage_run, triage_settings_set
from tests.conftest import NOW, open_case


def refs(client, **params) -> set[str]:
    page = client.get("/", params).content.decode()
    return set(re.findall(r">([A-Z]+-\d{4}-\d{6})</a>", page))


def test_my_cases_and_unassigned(as_agent, org, agent, other_agent) -> None:
    mine = open_case(org, agent)
    theirs = open_case(org, agent)
    free = open_case(org, agent)
    services.case_assign(case=mine, assignee=agent, actor=Actor.staff(agent), now=NOW)
    services.case_assign(case=theirs, assignee=other_agent, actor=Actor.staff(agent), now=NOW)
    assert refs(as_agent, queue="mine") == {mine.reference}
    assert refs(as_agent, queue="unassigned") == {free.reference}
    page = as_agent.get("/").content.decode()
    assert 'href="?queue=mine">My cases</a> <b>1</b>' in page


def test_due_soon_and_overdue(as_agent, org, agent) -> None:
    late = open_case(org, agent, received_at=NOW - timedelta(days=120))
    soon = open_case(org, agent, received_at=NOW - timedelta(hours=2))
    for case in (late, soon):
        case_deadlines_refresh(case=case, now=NOW)
    with time_machine.travel(NOW, tick=False):  # the case list reads the clock
        assert late.reference in refs(as_agent, queue="overdue")
        assert soon.reference not in refs(as_agent, queue="overdue")
        due = refs(as_agent, queue="due_soon", days="7")
    assert soon.reference in due and late.reference not in due


def test_legal_review_needs_triage_and_flag_filter(as_agent, org, agent, other_org, outsider):
    legal = open_case(
        org, agent, description="I have complained to the Financial Conduct Authority and "
        "will take you to court over this."
    )  # fmt: skip
    triage_run(case=legal, now=NOW)
    plain = open_case(org, agent, description="The parcel arrived late.")
    theirs = open_case(
        other_org, outsider, description="I will take you to court and tell the regulator."
    )
    triage_run(case=theirs, now=NOW)
    assert refs(as_agent, queue="legal") == {legal.reference}
    assert refs(as_agent, flag="litigation") == {legal.reference}
    triage_settings_set(organisation=org, now=NOW, threshold=1.0)
    triage_run(case=plain, now=NOW)
    assert plain.reference in refs(as_agent, queue="triage")
    assert theirs.reference not in refs(as_agent, queue="triage") | refs(as_agent, queue="legal")


def test_category_and_regime_filters(as_agent, org, agent) -> None:
    fca = open_case(org, agent, regime="UK-FCA-DISP", category="Billing, fees and charges")
    other = open_case(org, agent, regime="", category="Other")
    assert refs(as_agent, regime="UK-FCA-DISP") == {fca.reference}
    assert refs(as_agent, category="Other") == {other.reference}
    assert refs(as_agent, category="Nope") == {fca.reference, other.reference}  # invalid: ignored


def test_queue_partial_for_htmx(as_agent, org, agent) -> None:
    case = open_case(org, agent)
    page = as_agent.get("/", {"queue": "unassigned"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page and case.reference in page


def test_agents_see_their_own_and_unassigned_cases_only(
    as_agent, as_supervisor, as_legal, org, agent, other_agent
) -> None:
    mine = open_case(org, agent)
    theirs = open_case(org, agent)
    free = open_case(org, agent)
    services.case_assign(case=mine, assignee=agent, actor=Actor.staff(agent), now=NOW)
    services.case_assign(case=theirs, assignee=other_agent, actor=Actor.staff(agent), now=NOW)
    assert refs(as_agent) == {mine.reference, free.reference}
    assert as_agent.get(f"/cases/{theirs.reference}/").status_code == 404
    assert as_agent.get(f"/cases/{mine.reference}/").status_code == 200
    # Supervisors and legal reviewers see every case of the organisation.
    everything = {mine.reference, theirs.reference, free.reference}
    assert refs(as_supervisor) == everything
    assert refs(as_legal) == everything
    assert as_legal.get(f"/cases/{theirs.reference}/").status_code == 200
    # The queue counts are counted over what the agent may see.
    page = as_agent.get("/").content.decode()
    assert 'href="?queue=unassigned">Unassigned</a> <b>1</b>' in page


def test_search_finds_words_in_notes(as_agent, org, agent) -> None:
    case = open_case(org, agent, description="The bill was wrong.")
    other = open_case(org, agent, description="The parcel was late.")
    services.case_note_add(
        case=case, text="Customer quoted the ombudsman.", actor=Actor.staff(agent), now=NOW
    )
    assert refs(as_agent, q="ombudsman") == {case.reference}
    assert refs(as_agent, q="parcel") == {other.reference}
    assert refs(as_agent, q=case.reference) == {case.reference}


def test_overdue_lists_only_work_still_owed(as_agent, org, agent) -> None:
    owed = open_case(org, agent, received_at=NOW - timedelta(days=120))
    withdrawn = open_case(org, agent, received_at=NOW - timedelta(days=120))
    actor = Actor.staff(agent)
    services.case_transition(case=withdrawn, to="withdrawn", actor=actor, now=NOW)
    for case in (owed, withdrawn):
        case_deadlines_refresh(case=case, now=NOW)
    with time_machine.travel(NOW, tick=False):  # the case list reads the clock
        overdue = refs(as_agent, queue="overdue")
    assert owed.reference in overdue
    assert withdrawn.reference not in overdue  # nothing left to do, whatever it missed
