"""Item 5 (first part): improvement actions, measured by the complaints with their root
cause before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.domain.errors import FieldErrors
from plaint.domain.rootcauses import Verdict, action_effect
from plaint.reports import services
from plaint.reports.selectors import action_effect_of
from tests.conftest import open_case

DONE = date(2026, 4, 1)


def test_effect_compares_rates_per_30_days() -> None:
    before = [DONE - timedelta(days=d) for d in (1, 10, 20, 40, 60, 89)]  # 6 in 90 days
    too_old = [DONE - timedelta(days=91)]
    after = [DONE + timedelta(days=d) for d in (0, 15)]  # 2 in the first 45 days
    e = action_effect(before + too_old + after, done_on=DONE, today=DONE + timedelta(days=45))
    assert (e.before, e.after, e.after_days, e.before_per_30, e.after_per_30) == (
        6,
        2,
        45,
        2.0,
        1.3,
    )
    assert e.verdict is Verdict.FEWER
    early = action_effect(before, done_on=DONE, today=DONE + timedelta(days=29))
    assert early.verdict is Verdict.TOO_EARLY
    same = action_effect(
        before + [DONE + timedelta(days=d) for d in (1, 5, 9, 13, 17, 21)],
        done_on=DONE,
        today=DONE + timedelta(days=90),
    )
    assert same.verdict is Verdict.NOT_FEWER  # 6 before, 6 after


def _closed_with(org, agent, code: str, received: datetime):
    case = open_case(org, agent, received_at=received, now=received)
    actor = Actor.staff(agent)
    case_services.case_transition(case=case, to="resolved", actor=actor, now=received)
    case_services.case_close(
        case=case, outcome="upheld", root_cause_code=code, actor=actor, now=received
    )
    return case


def test_an_action_from_cases_is_measured_on_its_root_cause(org, agent, supervisor) -> None:
    opened = datetime(2026, 3, 1, 10, tzinfo=UTC)
    first = _closed_with(org, agent, "pricing_fees", datetime(2026, 2, 10, 10, tzinfo=UTC))
    _closed_with(org, agent, "pricing_fees", datetime(2026, 2, 20, 10, tzinfo=UTC))
    _closed_with(org, agent, "systems", datetime(2026, 2, 21, 10, tzinfo=UTC))  # another cause
    action = services.action_open(
        organisation=org,
        title="Show fees before the customer confirms",
        root_cause_code="pricing_fees",
        owner_id=supervisor.pk,
        due_on=date(2026, 3, 31),
        case_references=[first.reference],
        actor=supervisor,
        now=opened,
    )
    assert list(action.cases.all()) == [first]
    assert action_effect_of(action=action, today=date(2026, 3, 15)) is None  # not done yet
    with pytest.raises(FieldErrors, match="record when the change was done first"):
        services.action_judge(action=action, worked=True, note="", actor=supervisor, now=opened)
    action = services.action_done(
        action=action, done_on=DONE, actor=supervisor, now=opened + timedelta(days=40)
    )
    _closed_with(org, agent, "pricing_fees", datetime(2026, 4, 20, 10, tzinfo=UTC))
    effect = action_effect_of(action=action, today=date(2026, 6, 30))
    assert effect is not None
    assert (effect.before, effect.after, effect.after_days, effect.verdict) == (
        2,
        1,
        90,
        Verdict.FEWER,
    )
    judged = services.action_judge(
        action=action, worked=True, note="Half as many", actor=supervisor, now=opened
    )
    assert (judged.result, judged.result_note) == ("worked", "Half as many")


def test_action_input_is_checked_in_words(org, agent, supervisor) -> None:
    now = datetime(2026, 3, 1, tzinfo=UTC)
    with pytest.raises(FieldErrors) as refused:
        services.action_open(
            organisation=org,
            title=" ",
            root_cause_code="gremlins",
            owner_id=None,
            due_on=None,
            case_references=["AC-2099-000001"],
            actor=supervisor,
            now=now,
        )
    assert refused.value.errors == {
        "title": "is required: say what will change",
        "root_cause_code": "'gremlins' is not a root cause of this organisation",
        "owner": "choose a member of staff of this organisation",
        "due_on": "is required",
        "cases": "no case with the reference AC-2099-000001",
    }


def test_actions_page(org, agent, supervisor) -> None:
    case = _closed_with(org, agent, "systems", datetime(2026, 2, 10, 10, tzinfo=UTC))
    sue = Client()
    assert sue.login(username="sue", password="pw-sue-123")
    drill = sue.get("/reports/cases/?from=2026-01-01&to=2026-03-31&drill=root_cause:systems")
    assert "Open an improvement action from these cases" in drill.content.decode()
    page = sue.get(f"/reports/actions/?root_cause=systems&cases={case.reference}")
    assert page.status_code == 200 and f'value="{case.reference}"' in page.content.decode()
    body = {
        "action": "open",
        "title": "Fix the billing run",
        "root_cause_code": "systems",
        "owner": str(supervisor.pk),
        "due_on": "2026-04-30",
        "cases": case.reference,
    }
    assert sue.post("/reports/actions/", body).status_code == 302
    bad = sue.post("/reports/actions/", {**body, "due_on": "soon"})
    assert bad.status_code == 400 and "&#x27;soon&#x27; is not a date" in bad.content.decode()
    html = sue.get("/reports/actions/").content.decode()
    assert "Fix the billing run" in html and case.reference in html
    alice = Client()
    assert alice.login(username="alice", password="pw-alice-123")
    assert alice.get("/reports/actions/").status_code == 403
