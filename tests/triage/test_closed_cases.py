"""Triage and closed cases: triage adds no event to a closed case, and a closed case does
not stay in "needs human triage" (a reopened one comes back)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.domain.errors import DomainError
from plaint.triage import selectors, services
from plaint.triage.models import TriageRecord
from tests.conftest import NOW, open_case

CALM = "Please could you send me a copy of my loan statement for last year."


def _close(case: Case, user: User) -> Case:
    actor = Actor.staff(user)
    case = case_services.case_transition(case=case, to="resolved", actor=actor, now=NOW)
    return case_services.case_close(
        case=case,
        outcome="upheld",
        root_cause_code="process_failure",
        root_cause="Statement not sent",
        actor=actor,
        now=NOW,
    )


def _event_count(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


@pytest.fixture
def unsure(org: Organisation) -> Organisation:
    """Every suggestion falls below the threshold: each case needs human triage."""
    services.triage_settings_set(organisation=org, now=NOW, threshold=1.0)
    return org


def test_triage_run_refuses_a_closed_case_and_writes_nothing(unsure, agent: User) -> None:
    case = _close(open_case(unsure, agent, description=CALM), agent)
    before = _event_count(case)
    with pytest.raises(DomainError) as caught:
        services.triage_run(case=case, now=NOW)
    assert caught.value.message == (
        f"{case.reference} is closed: triage does not run on a closed case. "
        "Reopen the case first if it needs triage."
    )
    assert _event_count(case) == before
    assert not TriageRecord.objects.filter(case=case).exists()


def test_confirming_labels_on_a_closed_case_is_refused(unsure, agent: User) -> None:
    case = open_case(unsure, agent, description=CALM)
    services.triage_run(case=case, now=NOW)
    case = _close(case, agent)
    before = _event_count(case)
    with pytest.raises(DomainError, match="does not confirm labels on a closed case"):
        services.triage_confirm(
            case=case, labels={"category": "Other"}, actor=Actor.staff(agent), now=NOW
        )
    assert _event_count(case) == before


def test_a_closed_case_leaves_the_needs_triage_queue(unsure, agent: User) -> None:
    case = open_case(unsure, agent, description=CALM)
    record = services.triage_run(case=case, now=NOW)
    assert list(selectors.needs_triage_queue(organisation=unsure)) == [record]
    case = _close(case, agent)
    assert list(selectors.needs_triage_queue(organisation=unsure)) == []
    case_services.case_transition(case=case, to="reopened", actor=Actor.staff(agent), now=NOW)
    assert list(selectors.needs_triage_queue(organisation=unsure)) == [record]


def test_triage_all_skips_closed_cases(unsure, agent: User) -> None:
    closed = _close(open_case(unsure, agent, description=CALM), agent)
    open_one = open_case(unsure, agent, description=CALM)
    before = _event_count(closed)
    call_command("triage", "--all", "--org", unsure.slug)
    assert _event_count(closed) == before
    assert TriageRecord.objects.filter(case=open_one).exists()
    assert not TriageRecord.objects.filter(case=closed).exists()
    with pytest.raises(CommandError, match="is closed"):
        call_command("triage", closed.reference, "--org", unsure.slug)


def test_the_desk_queue_and_panel_of_a_closed_case(unsure, agent: User, client) -> None:
    case = open_case(unsure, agent, description=CALM)
    services.triage_run(case=case, now=NOW)
    case = _close(case, agent)
    assert client.login(username="alice", password="pw-alice-123")
    listed = client.get("/", {"queue": "triage"}).content.decode()
    assert case.reference not in listed
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Case closed: no triage needed" in page
    assert "Needs human triage</span>" not in page
    assert 'action="/cases/' + case.reference + '/actions/triage/"' not in page
