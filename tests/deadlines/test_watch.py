"""Deadlines on real cases: derived from the ledger, met, paused, reminded, breached."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.services import (
    case_deadlines_refresh,
    cases_needing_refresh,
    deadlines_history_record,
    deadlines_tick,
)
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW, open_case

RECEIVED = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday; London is on GMT
STAFF = Actor.system("test")


def kinds(case: Case, *wanted: str) -> list[str]:
    return list(
        CaseEvent.objects.filter(case=case, kind__in=wanted)
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def payloads(case: Case, kind: str) -> list[dict]:
    return [
        json.loads(p)
        for p in CaseEvent.objects.filter(case=case, kind=kind)
        .order_by("seq")
        .values_list("payload", flat=True)
    ]


def rows(case: Case) -> dict[str, CaseDeadline]:
    return {d.key: d for d in CaseDeadline.objects.filter(case=case)}


@pytest.fixture
def fca_case(org, agent) -> Case:
    return open_case(org, agent, received_at=RECEIVED, regime="UK-FCA-DISP")


def test_refresh_derives_each_deadline_once(fca_case: Case) -> None:
    first = case_deadlines_refresh(case=fca_case, now=NOW)
    assert sorted(first.changed) == [
        "HOUSE/acknowledge",
        "HOUSE/respond",
        "UK-FCA-DISP/final-response",
        "UK-FCA-DISP/summary-resolution",
    ]
    got = rows(fca_case)
    assert got["UK-FCA-DISP/final-response"].due_at == datetime(
        2026, 4, 28, 0, 0, tzinfo=UTC
    ) - timedelta(hours=1)
    assert got["HOUSE/acknowledge"].due_at == datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    assert "UK-FCA-DISP/fos-referral" not in got  # waits for the final response
    sets = payloads(fca_case, "deadline_set")
    assert len(sets) == 4 and all(p["previous_due_at"] is None for p in sets)
    assert {p["verification"] for p in sets} == {"policy", "primary"}
    again = case_deadlines_refresh(case=fca_case, now=NOW)
    assert again.changed == [] and again.met == []
    assert len(payloads(fca_case, "deadline_set")) == 4
    assert ledger_verify(reference=fca_case.reference).ok


def test_milestones_and_statuses_meet_deadlines(fca_case: Case) -> None:
    case_deadlines_refresh(case=fca_case, now=NOW)
    services.case_transition(case=fca_case, to="acknowledged", actor=STAFF, now=NOW)
    final_sent = datetime(2026, 4, 20, 9, 0, tzinfo=UTC)
    services.case_milestone_record(
        case=fca_case, milestone="final_response_sent", at=final_sent, actor=STAFF, now=final_sent
    )
    result = case_deadlines_refresh(case=fca_case, now=final_sent)
    assert set(result.met) == {"HOUSE/acknowledge", "HOUSE/respond", "UK-FCA-DISP/final-response"}
    assert "UK-FCA-DISP/fos-referral" in result.changed
    met = {p["key"]: p for p in payloads(fca_case, "deadline_met")}
    assert met["HOUSE/acknowledge"]["on_time"] is True
    assert met["UK-FCA-DISP/final-response"]["on_time"] is True
    assert met["HOUSE/respond"]["on_time"] is False  # due Mon 30 Mar
    got = rows(fca_case)
    assert got["UK-FCA-DISP/final-response"].state == "met"
    assert got["UK-FCA-DISP/fos-referral"].due_at.date().isoformat() == "2026-10-20"


def test_pause_then_resume_moves_the_deadline(org, agent) -> None:
    case = open_case(org, agent, received_at=RECEIVED, regime="UK-CRA-GOODS")
    record = lambda name, when: services.case_milestone_record(  # noqa: E731
        case=case, milestone=name, at=when, actor=STAFF, now=NOW + timedelta(days=60)
    )
    record("goods_delivered", datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    case_deadlines_refresh(case=case, now=NOW)
    key = "UK-CRA-GOODS/short-term-reject"
    # Due by the end of 31 Mar: midnight BST, which is 23:00 UTC.
    assert rows(case)[key].due_at == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    record("repair_requested", datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    case_deadlines_refresh(case=case, now=NOW)
    assert rows(case)[key].state == "paused" and rows(case)[key].due_at is None
    record("repaired_goods_received", datetime(2026, 3, 20, 12, 0, tzinfo=UTC))
    case_deadlines_refresh(case=case, now=NOW)
    assert rows(case)[key].state == "open"
    history = [p for p in payloads(case, "deadline_set") if p["key"] == key]
    assert [p["due_at"] is None for p in history] == [False, True, False]
    assert history[2]["previous_due_at"] is None and history[2]["due_at"].startswith("2026-04-12")


def test_milestone_service_checks_its_input(fca_case: Case, agent) -> None:
    with pytest.raises(FieldErrors, match="not a milestone"):
        services.case_milestone_record(
            case=fca_case, milestone="moon_landing", at=NOW, actor=STAFF, now=NOW
        )
    with pytest.raises(FieldErrors, match="in the future"):
        services.case_milestone_record(
            case=fca_case,
            milestone="final_response_sent",
            at=NOW + timedelta(days=1),
            actor=STAFF,
            now=NOW,
        )
    services.case_milestone_record(
        case=fca_case,
        milestone="second_billing_cycle_closes",
        at=NOW + timedelta(days=20),
        actor=STAFF,
        now=NOW,
    )
    with pytest.raises(FieldErrors, match=r"regime.*Unknown regime 'MARS'"):
        open_case(fca_case.organisation, agent, regime="MARS")


def test_regime_change_retires_deadlines_that_no_longer_apply(fca_case: Case) -> None:
    case_deadlines_refresh(case=fca_case, now=NOW)
    Case.objects.filter(pk=fca_case.pk).update(regime="")  # as a future regime service would
    result = case_deadlines_refresh(case=fca_case, now=NOW)
    assert sorted(result.changed) == [
        "UK-FCA-DISP/final-response",
        "UK-FCA-DISP/summary-resolution",
    ]
    assert set(rows(fca_case)) == {"HOUSE/acknowledge", "HOUSE/respond"}
    assert payloads(fca_case, "deadline_set")[-1]["reason"] == "no longer applies to this case"


@pytest.fixture
def watched(fca_case: Case, agent, org, settings) -> Case:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    agent.email = "alice@example.org"
    agent.save()
    staff_create(
        organisation=org,
        username="sue",
        password="pw-sue-123",
        roles=[Role.SUPERVISOR],
        email="sue@example.org",
    )
    services.case_assign(case=fca_case, assignee=agent, actor=STAFF, now=NOW)
    return fca_case


def run_worker() -> None:
    """Run what the worker would run, in this process and transaction. (The real
    `plaint worker`, which closes its connections, is tested in its own process.)"""
    for queued in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        task = queued.task
        assert task.module_path == "plaint.deadlines.tasks.notification_send"
        task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.status = "SUCCESSFUL"
        queued.save(update_fields=["status"])


def test_reminder_is_sent_once(watched: Case, django_capture_on_commit_callbacks) -> None:
    # The house acknowledgement is due Wed 4 Mar 17:00 UTC; its reminder one business day
    # earlier, Tue 3 Mar 17:00.
    before = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        report = deadlines_tick(now=before)
    assert report.reminders == 0
    reminder_time = datetime(2026, 3, 3, 17, 30, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        report = deadlines_tick(now=reminder_time)
        again = deadlines_tick(now=reminder_time + timedelta(minutes=5))
    assert (report.reminders, again.reminders) == (1, 0)
    run_worker()
    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert "AC-2026-000001: due" in message.subject and "Acknowledge" in message.subject
    [reminder] = payloads(watched, "deadline_reminder")
    assert reminder["key"] == "HOUSE/acknowledge" and reminder["notified"] == ["alice@example.org"]


def test_breach_escalates_once(watched: Case, django_capture_on_commit_callbacks) -> None:
    services.case_transition(case=watched, to="acknowledged", actor=STAFF, now=NOW)
    late = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # past 20 business days and 8 weeks
    with django_capture_on_commit_callbacks(execute=True):
        first = deadlines_tick(now=late)
        second = deadlines_tick(now=late + timedelta(hours=1))
    assert (first.breaches, first.escalated) == (2, 2)  # house response + FCA final response
    assert (second.breaches, second.escalated) == (0, 0)
    case = Case.objects.get(pk=watched.pk)
    assert (case.status, case.priority) == ("escalated", "urgent")
    assert kinds(case, "status_changed")[-1:] == ["status_changed"]
    assert len(payloads(case, "priority_changed")) == 1
    breached = payloads(case, "deadline_breached")
    assert {p["key"] for p in breached} == {"HOUSE/respond", "UK-FCA-DISP/final-response"}
    assert all(p["notified"] == ["alice@example.org", "sue@example.org"] for p in breached)
    # The summary-resolution window closing is not a breach, and the acknowledgement was met.
    states = {k: r.state for k, r in rows(case).items()}
    assert states["UK-FCA-DISP/summary-resolution"] == "open"
    assert states["HOUSE/acknowledge"] == "met"
    run_worker()
    assert len(mail.outbox) == 2 and all("MISSED" in m.subject for m in mail.outbox)
    assert ledger_verify(reference=case.reference).ok


def test_customer_side_deadlines_do_not_escalate(org, agent, django_capture_on_commit_callbacks):
    case = open_case(org, agent, received_at=RECEIVED, regime="US-FCBA")
    services.case_milestone_record(
        case=case,
        milestone="statement_transmitted",
        at=datetime(2026, 1, 31, tzinfo=UTC),
        actor=STAFF,
        now=NOW,
    )
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_tick(now=datetime(2026, 4, 3, tzinfo=UTC))
    [breach] = [
        p for p in payloads(case, "deadline_breached") if p["key"] == "US-FCBA/consumer-notice"
    ]
    assert breach["escalated"] is False


def test_deadline_views_count_business_days_left(fca_case: Case) -> None:
    from plaint.deadlines.selectors import case_deadline_views

    case_deadlines_refresh(case=fca_case, now=NOW)
    # Mon 2 Mar 2026 10:30: acknowledgement due Wed 4 Mar 17:00, two business days away;
    # the 8-week final response is due by the end of Mon 27 Apr.
    views = {v.row.key: v for v in case_deadline_views(case=fca_case, now=RECEIVED)}
    ack, final = views["HOUSE/acknowledge"], views["UK-FCA-DISP/final-response"]
    assert (ack.business_days_left, ack.overdue, ack.end_of_day) == (2, False, False)
    assert final.end_of_day and final.due_local.date().isoformat() == "2026-04-28"
    # Good Friday (3 Apr) and Easter Monday (6 Apr) are not counted: 38 business days.
    assert final.business_days_left == 38
    later = {
        v.row.key: v
        for v in case_deadline_views(case=fca_case, now=datetime(2026, 3, 5, tzinfo=UTC))
    }
    assert (
        later["HOUSE/acknowledge"].overdue and later["HOUSE/acknowledge"].business_days_left is None
    )


def test_case_page_shows_deadlines_and_overdue_flags(fca_case: Case, agent) -> None:
    from django.test import Client

    case_deadlines_refresh(case=fca_case, now=NOW)
    client = Client()
    assert client.login(username="alice", password="pw-alice-123")
    page = client.get(f"/cases/{fca_case.reference}/").content.decode()
    assert "Deadlines" in page and "Final response (or written explanation of delay)" in page
    assert "end of Mon 27 Apr 2026" in page
    assert "Overdue" in page  # March 2026 deadlines are long past on the real clock


def test_history_is_recorded_once_without_telling_anyone(
    watched: Case, org, django_capture_on_commit_callbacks
) -> None:
    services.case_transition(case=watched, to="acknowledged", actor=STAFF, now=NOW)
    late = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)  # past 20 business days and 8 weeks
    deadlines_tick(now=NOW)  # derive
    with django_capture_on_commit_callbacks(execute=True):
        history = deadlines_history_record(organisation=org, now=late)
        tick = deadlines_tick(now=late)
    assert (history.breaches, history.escalated) == (2, 0)
    assert (tick.reminders, tick.breaches) == (0, 0)  # nothing left for the watch
    case = Case.objects.get(pk=watched.pk)
    assert (case.status, case.priority) != ("escalated", "urgent")
    breached = payloads(case, "deadline_breached")
    assert all(p["historic"] is True and p["notified"] == [] for p in breached)
    run_worker()
    assert mail.outbox == []
    assert ledger_verify(reference=case.reference).ok


def test_a_closed_case_is_refreshed_once_after_it_closes(fca_case: Case) -> None:
    case_deadlines_refresh(case=fca_case, now=NOW)
    at = NOW + timedelta(days=3)
    services.case_milestone_record(
        case=fca_case, milestone="final_response_sent", at=at, actor=STAFF, now=at
    )
    for status in ("investigating", "resolved"):
        services.case_transition(case=fca_case, to=status, actor=STAFF, now=at)
    services.case_close(
        case=Case.objects.get(pk=fca_case.pk),
        outcome="upheld",
        root_cause_code="process_failure",
        actor=STAFF,
        now=at,
    )
    assert fca_case.pk in cases_needing_refresh()  # closing it, before the watch ran
    deadlines_tick(now=at)
    assert rows(fca_case)["UK-FCA-DISP/final-response"].state == "met"
    assert fca_case.pk not in cases_needing_refresh()
