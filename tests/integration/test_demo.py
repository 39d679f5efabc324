"""The demo is a live desk: dated relative to the day it is loaded, triaged, and with
something in every queue."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from django.core.management import call_command
from django.utils import timezone

from plaint.accounts.models import User
from plaint.cases.ledger import ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.services import deadlines_tick
from plaint.demo.loading import DEMO_CSV, demo_csv, demo_load
from plaint.desk.queues import Queue, queue_filter
from plaint.triage.models import TriageRecord

# Not a date the sample knows: the demo must come out dated relative to it.
LOADED = datetime(2031, 6, 17, 14, 0, tzinfo=UTC)


def _received(text: str) -> list[date]:
    return [date.fromisoformat(r["Date received"]) for r in csv.DictReader(io.StringIO(text))]


def test_demo_csv_shifts_every_date_so_the_newest_is_yesterday() -> None:
    today = date(2031, 6, 17)
    with DEMO_CSV.open(encoding="utf-8-sig", newline="") as fh:
        original = fh.read()
    shifted = demo_csv(today=today)
    before, after = _received(original), _received(shifted)
    assert max(after) == today - timedelta(days=1)
    shift = after[0] - before[0]
    assert all(b + shift == a for b, a in zip(before, after, strict=True))
    old_rows = list(csv.DictReader(io.StringIO(original)))
    new_rows = list(csv.DictReader(io.StringIO(shifted)))
    for old, new in zip(old_rows, new_rows, strict=True):  # the text stays the CFPB's
        assert old["Consumer complaint narrative"] == new["Consumer complaint narrative"]
        if old["Date sent to company"]:
            sent = date.fromisoformat(old["Date sent to company"]) + shift
            assert new["Date sent to company"] == sent.isoformat()


def test_a_live_desk_every_queue_has_cases_and_the_statuses_are_mixed(db) -> None:
    # One load for every check (loading the demo takes a while).
    org = demo_load(now=LOADED).organisation
    agent = User.objects.get(username="agent")
    for queue in Queue:
        found = queue_filter(
            Case.objects.all(), organisation=org, queue=queue, user=agent, now=LOADED
        )
        assert found.exists(), f"the {queue.label} queue is empty"
    statuses = set(Case.objects.filter(organisation=org).values_list("status", flat=True))
    assert {
        "received",
        "acknowledged",
        "investigating",
        "awaiting_customer",
        "escalated",
        "resolution_proposed",
        "resolved",
        "closed",
    } <= statuses
    closed = Case.objects.filter(organisation=org, status="closed").count()
    assert closed < Case.objects.filter(organisation=org).count() / 2  # a desk, not a museum
    # Dated relative to the day it was loaded, and triaged.
    newest = max(Case.objects.filter(organisation=org).values_list("received_at", flat=True))
    assert LOADED - timedelta(days=2) < newest < LOADED
    assert TriageRecord.objects.filter(organisation=org).count() == 365
    assert ledger_verify().ok
    # The steps the desk took were taken in time: every acknowledgement that was sent was
    # sent on time, and the work still owed is a minority of the open cases.
    acks = CaseDeadline.objects.filter(organisation=org, key="HOUSE/acknowledge", state="met")
    assert acks.count() > 300 and all(not d.met_late for d in acks)
    still_open = Case.objects.filter(organisation=org).exclude(status__in=["closed", "withdrawn"])
    overdue = queue_filter(
        Case.objects.all(), organisation=org, queue=Queue.OVERDUE, user=agent, now=LOADED
    )
    assert 0 < overdue.count() < still_open.count() / 2
    assert not overdue.filter(status="closed").exists()
    # Deadlines missed before the load were recorded as history: nothing left to send.
    # (The cases whose history was recorded are re-derived once, which changes nothing.)
    events = CaseEvent.objects.count()
    report = deadlines_tick(now=LOADED)
    assert (report.reminders, report.breaches, report.escalated) == (0, 0, 0)
    assert CaseEvent.objects.count() == events
    assert deadlines_tick(now=LOADED).refreshed == 0


def test_command_loads_once_and_prints_the_portal_and_slug(db, capsys, monkeypatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: LOADED)
    call_command("demo", "--address", "http://127.0.0.1:8123")
    out = capsys.readouterr().out
    assert "365 imported" in out and "plaint-demo" in out
    assert "Customer portal: http://127.0.0.1:8123/complain/demo/" in out
    assert "(slug: demo)" in out
    assert "sign in at http://127.0.0.1:8123/" in out
    call_command("demo")
    again = capsys.readouterr().out
    assert "already loaded" in again
    assert "Customer portal: http://127.0.0.1:8000/complain/demo/" in again
    assert Case.objects.count() == 365
