"""An import derives every new case's deadlines and triage in bulk: the same rows and
events as the per-case path, with the past recorded as history (no mail, no escalation)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from plaint.accounts.models import Organisation
from plaint.accounts.services import organisation_create
from plaint.cases.importing import cfpb_import
from plaint.cases.ledger import ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.models import CaseDeadline, RefreshMark
from plaint.deadlines.services import case_deadlines_refresh, deadlines_tick
from plaint.intake.bulk import complaints_import
from plaint.triage.bulk import PARALLEL_FROM, texts_read
from plaint.triage.models import TriageRecord
from plaint.triage.services import triage_run
from tests.conftest import NOW

DEMO_CSV = Path(__file__).resolve().parents[2] / "src" / "plaint" / "demo" / "cfpb_demo.csv"
ROWS = 60


def recent_cfpb(rows: int = ROWS) -> str:
    """Real CFPB complaints (text, products, companies), received over the 50 days before
    NOW, so some deadlines are long past, some due soon and some reminders already due."""
    with DEMO_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        sample = [row for _, row in zip(range(rows), reader, strict=False)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for n, row in enumerate(sample):
        day = (NOW - timedelta(days=(n * 7) % 50)).date().isoformat()
        writer.writerow({**row, "Date received": day, "Date sent to company": day})
    return out.getvalue()


def _deadlines(org: Organisation) -> list[tuple[object, ...]]:
    return sorted(
        CaseDeadline.objects.filter(organisation=org).values_list(
            "case__external_id",
            "key",
            "regime_version",
            "title",
            "party",
            "kind",
            "verification",
            "due_at",
            "state",
            "met_at",
            "reminder_at",
            "reminded_at",
            "breached_at",
            "waiting_for",
            "updated_at",
        )
    )


_TRIAGE_FIELDS = (
    "status",
    "taxonomy",
    "model",
    "suggestions",
    "confidence",
    "flags",
    "legal_review",
    "urgency",
    "urgency_parts",
    "suggested_priority",
    "sentiment",
    "similar",
    "vector",
    "triaged_at",
)


def _triage(org: Organisation) -> dict[str, tuple[object, ...]]:
    return {
        row[0]: tuple(bytes(v) if isinstance(v, memoryview) else v for v in row[1:])
        for row in TriageRecord.objects.filter(organisation=org).values_list(
            "case__external_id", *_TRIAGE_FIELDS
        )
    }


_DERIVED = ("deadline_set", "deadline_met", "triage_suggested", "legal_review_requested")


def _events(org: Organisation) -> dict[str, list[tuple[object, ...]]]:
    """Each case's derived events (kind, actor, visibility, occurred_at, payload). The
    tick's reminders and breaches come in no set order, so those are compared sorted."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for ext, kind, actor, visibility, occurred, payload in (
        CaseEvent.objects.filter(organisation=org)
        .order_by("case_id", "seq")
        .values_list(
            "case__external_id", "kind", "actor_label", "visibility", "occurred_at", "payload"
        )
    ):
        data = json.loads(payload)
        if kind in ("deadline_breached", "deadline_reminder"):
            data = {k: data[k] for k in ("key", "title", "due_at")}  # who heard differs
        elif kind not in _DERIVED:
            continue
        out.setdefault(ext, []).append((kind, actor, visibility, occurred, data))
    watched = ("deadline_breached", "deadline_reminder")
    return {
        ext: [e for e in events if e[0] not in watched]
        + sorted((e for e in events if e[0] in watched), key=repr)
        for ext, events in out.items()
    }


def _per_case(org: Organisation) -> None:
    """The per-case path: intake's refresh and triage, then one tick."""
    for case in Case.objects.filter(organisation=org).order_by("pk"):
        case_deadlines_refresh(case=case, now=NOW)
        nearest = (
            CaseDeadline.objects.filter(case=case, state="open", party="business")
            .order_by("due_at")
            .values_list("due_at", flat=True)
            .first()
        )
        triage_run(case=case, now=NOW, next_deadline=nearest)
    deadlines_tick(now=NOW)


@pytest.fixture
def text() -> str:
    return recent_cfpb()


def test_import_derives_deadlines_and_triage_for_every_case(org, supervisor, text) -> None:
    summary, report = complaints_import(organisation=org, source=io.StringIO(text), now=NOW)
    assert summary.imported == ROWS
    assert report.deadlines.cases == report.triaged == ROWS
    assert RefreshMark.objects.filter(case__organisation=org).count() == ROWS
    assert TriageRecord.objects.filter(organisation=org).count() == ROWS
    states = set(CaseDeadline.objects.filter(organisation=org).values_list("state", flat=True))
    assert {"open", "missed"} <= states
    assert report.deadlines.breaches > 0 and report.deadlines.reminders > 0
    # Recorded as history: nobody e-mailed, nothing escalated.
    assert DBTaskResult.objects.count() == 0
    assert set(Case.objects.filter(organisation=org).values_list("status", flat=True)) == {
        "received"
    }
    breached = [
        json.loads(p)
        for p in CaseEvent.objects.filter(kind="deadline_breached").values_list(
            "payload", flat=True
        )
    ]
    assert breached and all(
        b["historic"] and not b["escalated"] and b["notified"] == [] for b in breached
    )
    assert ledger_verify().ok


def test_a_tick_after_the_import_sends_nothing_and_writes_nothing(org, supervisor, text) -> None:
    complaints_import(organisation=org, source=io.StringIO(text), now=NOW)
    events, deadlines = CaseEvent.objects.count(), _deadlines(org)
    marks = sorted(RefreshMark.objects.values_list("case_id", "ledger_seq"))
    report = deadlines_tick(now=NOW)
    assert (report.refreshed, report.reminders, report.breaches, report.escalated) == (0, 0, 0, 0)
    assert CaseEvent.objects.count() == events
    assert _deadlines(org) == deadlines
    assert sorted(RefreshMark.objects.values_list("case_id", "ledger_seq")) == marks
    assert DBTaskResult.objects.count() == 0
    assert ledger_verify().ok


def test_bulk_rows_equal_the_per_case_path(org, text) -> None:
    per_case = organisation_create(slug="percase", name="Per case", now=NOW)
    cfpb_import(organisation=per_case, source=io.StringIO(text), now=NOW)
    _per_case(per_case)
    complaints_import(organisation=org, source=io.StringIO(text), now=NOW)

    assert _deadlines(org) == _deadlines(per_case)
    assert _triage(org) == _triage(per_case)
    assert _events(org) == _events(per_case)
    assert ledger_verify().ok


def test_reimport_derives_nothing_twice(org, text) -> None:
    complaints_import(organisation=org, source=io.StringIO(text), now=NOW)
    events = CaseEvent.objects.count()
    summary, report = complaints_import(
        organisation=org, source=io.StringIO(text), now=NOW + timedelta(days=1)
    )
    assert (summary.imported, report.deadlines.cases, report.triaged) == (0, 0, 0)
    assert CaseEvent.objects.count() == events


def test_texts_read_in_parallel_read_the_same() -> None:
    with DEMO_CSV.open(encoding="utf-8", newline="") as fh:
        texts = [row["Consumer complaint narrative"] for row in csv.DictReader(fh)][:PARALLEL_FROM]
    assert texts_read(texts, workers=2) == texts_read(texts, workers=1)
