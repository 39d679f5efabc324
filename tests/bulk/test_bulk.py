"""Bulk actions from the queue: each case through its own service with its own event,
refusals with reasons, tampered ids, background chunks and resume, CSV export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django_tasks_db.models import DBTaskResult

from plaint.bulk import services
from plaint.bulk.models import BulkJob, BulkRefusal
from plaint.bulk.services import bulk_chunk_run, bulk_job_run, bulk_jobs_resume, bulk_start
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.domain.bulk import BulkAction, BulkRequest
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW, open_case

HOSTILE = "<script>alert(1)</script> {{ 7*7 }}\nline two \u202eevil\u202c"


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def post(client: Client, **data: object) -> tuple[int, str, object]:
    response = client.post("/bulk/", data)
    body = response.content.decode() if not getattr(response, "streaming", False) else ""
    return response.status_code, body, response


@pytest.fixture
def three(org, agent) -> list[Case]:
    return [open_case(org, agent, description=f"Complaint {i}") for i in range(3)]


def test_assign_selected_gives_each_case_its_own_event(as_supervisor, three, agent) -> None:
    status, _, response = post(
        as_supervisor,
        action="assign",
        scope="selected",
        case=[c.pk for c in three[:2]],
        assignee=agent.pk,
    )
    assert status == 302
    job = BulkJob.objects.get()
    assert response["Location"] == f"/bulk/{job.pk}/"
    assert (job.state, job.done, job.refused, job.background) == ("done", 2, 0, False)
    for case in three[:2]:
        case.refresh_from_db()
        assert case.assignee_id == agent.pk
        assert kinds(case).count("case_assigned") == 1
    three[2].refresh_from_db()
    assert three[2].assignee_id is None
    page = as_supervisor.get(f"/bulk/{job.pk}/").content.decode()
    assert "2</b> cases changed" in page and "Alice Agent" in page


def test_priority_refuses_cases_already_at_it(as_agent, org, agent) -> None:
    high = open_case(org, agent, priority="high")
    normal = open_case(org, agent)
    status, _, _ = post(
        as_agent, action="priority", scope="selected", case=[high.pk, normal.pk], priority="high"
    )
    assert status == 302
    job = BulkJob.objects.get()
    assert (job.done, job.refused) == (1, 1)
    refusal = BulkRefusal.objects.get()
    assert (refusal.reference, refusal.reason) == (high.reference, "already has priority high")
    normal.refresh_from_db()
    assert normal.priority == "high" and kinds(normal).count("priority_changed") == 1
    assert "priority_changed" not in kinds(high)
    page = as_agent.get(f"/bulk/{job.pk}/").content.decode()
    assert high.reference in page and "already has priority high" in page


def test_mixed_legal_and_illegal_transitions(as_agent, org, agent) -> None:
    received = open_case(org, agent)
    resolved = open_case(org, agent)
    case_services.case_transition(case=resolved, to="resolved", actor=Actor.staff(agent), now=NOW)
    post(
        as_agent,
        action="transition",
        scope="selected",
        case=[received.pk, resolved.pk],
        to="investigating",
    )
    job = BulkJob.objects.get()
    assert (job.done, job.refused) == (1, 1)
    received.refresh_from_db()
    resolved.refresh_from_db()
    assert (received.status, resolved.status) == ("investigating", "resolved")
    reason = BulkRefusal.objects.get().reason
    assert reason.startswith("cannot move from resolved to investigating (it may move to: ")


def test_a_bulk_close_is_refused_whole(as_agent, three) -> None:
    status, body, _ = post(
        as_agent, action="transition", scope="selected", case=[three[0].pk], to="closed"
    )
    assert status == 400 and "Nothing was changed" in body
    assert not BulkJob.objects.exists()
    three[0].refresh_from_db()
    assert three[0].status == "received"


def test_hostile_note_is_stored_as_text_and_escaped(as_agent, three) -> None:
    post(as_agent, action="note", scope="selected", case=[c.pk for c in three], text=HOSTILE)
    job = BulkJob.objects.get()
    assert job.done == 3
    for case in three:
        notes = CaseEvent.objects.filter(case=case, kind="note_added")
        assert notes.count() == 1
    page = as_agent.get(f"/bulk/{job.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "{{ 7*7 }}" in page  # shown as typed, never evaluated
    case_page = as_agent.get(f"/cases/{three[0].reference}/").content.decode()
    assert "&lt;script&gt;alert(1)" in case_page


def test_empty_note_and_nul_are_refused_precisely(as_agent, three) -> None:
    status, body, _ = post(as_agent, action="note", scope="selected", case=[three[0].pk], text="  ")
    assert status == 400 and "text: is required" in body
    status, body, _ = post(
        as_agent, action="note", scope="selected", case=[three[0].pk], text="a\x00b"
    )
    assert status == 400
    assert not BulkJob.objects.exists() and kinds(three[0]).count("note_added") == 0


def test_tampered_ids_of_another_organisation_change_nothing(
    as_supervisor, three, other_org, outsider
) -> None:
    theirs = open_case(other_org, outsider)
    status, body, _ = post(
        as_supervisor, action="note", scope="selected", case=[three[0].pk, theirs.pk], text="hi"
    )
    assert status == 400 and "1 of the chosen cases are not cases you may see" in body
    assert not BulkJob.objects.exists()
    assert kinds(three[0]).count("note_added") == 0 and kinds(theirs).count("note_added") == 0
    status, body, _ = post(
        as_supervisor, action="note", scope="selected", case=["1; DROP"], text="x"
    )
    assert status == 400 and "not a case id" in body


def test_other_organisations_job_is_not_found(as_supervisor, as_outsider, three) -> None:
    post(as_supervisor, action="note", scope="selected", case=[three[0].pk], text="hi")
    job = BulkJob.objects.get()
    assert as_outsider.get(f"/bulk/{job.pk}/").status_code == 404
    assert as_outsider.get(f"/bulk/{job.pk}/progress/").status_code == 404


def test_an_agent_may_not_bulk_assign(as_agent, three, agent) -> None:
    status, _, _ = post(
        as_agent, action="assign", scope="selected", case=[three[0].pk], assignee=agent.pk
    )
    assert status == 403
    assert not BulkJob.objects.exists()


def test_assign_to_staff_of_another_organisation_is_refused(as_supervisor, three, outsider) -> None:
    status, body, _ = post(
        as_supervisor, action="assign", scope="selected", case=[three[0].pk], assignee=outsider.pk
    )
    assert status == 400 and "assignee: is not active staff" in body


def test_an_agent_sees_only_own_and_unassigned_cases_in_all_matching(
    as_agent, org, agent, other_agent, supervisor
) -> None:
    mine = open_case(org, agent)
    theirs = open_case(org, agent)
    case_services.case_assign(
        case=theirs, assignee=other_agent, actor=Actor.staff(supervisor), now=NOW
    )
    post(as_agent, action="note", scope="all", query="", text="sweep")
    job = BulkJob.objects.get()
    assert job.case_ids == [mine.pk]
    # and naming the hidden case by id is refused whole
    status, _, _ = post(as_agent, action="note", scope="selected", case=[theirs.pk], text="x")
    assert status == 400


def test_all_matching_uses_the_queues_filter(as_supervisor, org, agent) -> None:
    high = [open_case(org, agent, priority="high") for _ in range(2)]
    open_case(org, agent, priority="low")
    post(as_supervisor, action="note", scope="all", query="priority=high", text="n")
    job = BulkJob.objects.get()
    assert sorted(job.case_ids) == sorted(c.pk for c in high)
    page = as_supervisor.get("/", {"priority": "high"}).content.decode()
    assert "all 2 matching this filter" in page


def test_page_scope_takes_the_page_shown(as_supervisor, three) -> None:
    post(as_supervisor, action="note", scope="page", query="", page=1, text="n")
    assert sorted(BulkJob.objects.get().case_ids) == sorted(c.pk for c in three)


def test_queue_rows_carry_checkboxes(as_supervisor, three) -> None:
    page = as_supervisor.get("/").content.decode()
    for case in three:
        assert (
            f'name="case" value="{case.pk}" form="bulk" aria-label="Select {case.reference}"'
            in page
        )
    assert 'id="bulk"' in page and 'action="/bulk/"' in page


def test_csv_export_defuses_formulas(as_agent, org, agent) -> None:
    case = open_case(org, agent, product='=HYPERLINK("http://x")', issue="+1\n-2")
    status, _, response = post(as_agent, action="export", scope="selected", case=[case.pk])
    assert status == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "reference" and rows[1][0] == case.reference
    header = rows[0]
    assert rows[1][header.index("product")] == '\'=HYPERLINK("http://x")'
    assert rows[1][header.index("issue")] == "'+1\n-2"
    assert not BulkJob.objects.exists()


def test_background_job_runs_in_chunks_and_resumes_after_a_crash(
    org, agent, supervisor, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    cases = [open_case(org, agent, description=f"c{i}") for i in range(7)]
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_start(
            user=supervisor,
            request=BulkRequest(BulkAction.PRIORITY, priority="high"),
            case_ids=[c.pk for c in cases],
            now=NOW,
            background_over=5,
        )
    queued = DBTaskResult.objects.filter(task_path="plaint.bulk.tasks.bulk_job_task")
    assert [q.args_kwargs["kwargs"] for q in queued] == [{"job_id": job.pk}]
    assert job.background and job.cursor == 0
    # the task is queued after commit (pytest-django runs on_commit callbacks at once in
    # a TestCase only when asked): run the first chunk by hand
    assert bulk_chunk_run(job_id=job.pk, now=NOW, size=3) is True
    job.refresh_from_db()
    assert (job.cursor, job.done) == (3, 3)

    real = case_services.case_priority_set
    calls = {"n": 0}

    def crash_on_second(**kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_services, "case_priority_set", crash_on_second)
    with pytest.raises(RuntimeError):
        bulk_chunk_run(job_id=job.pk, now=NOW, size=3)
    job.refresh_from_db()
    assert (job.cursor, job.done, job.state) == (3, 3, "running")  # the chunk undone whole
    cases[3].refresh_from_db()
    assert cases[3].priority == "normal" and "priority_changed" not in kinds(cases[3])

    monkeypatch.setattr(case_services, "case_priority_set", real)
    # the worker's pass finds the job idle and queues it again
    assert bulk_jobs_resume(now=NOW) == 0  # not idle for long yet
    later = NOW + services.RESUME_AFTER * 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert bulk_jobs_resume(now=later) == 1
    assert len(callbacks) == 1
    assert queued.all().count() == 2
    bulk_job_run(job_id=job.pk, now=later, size=3)
    job.refresh_from_db()
    assert (job.cursor, job.done, job.refused, job.state) == (7, 7, 0, "done")
    for case in cases:
        assert kinds(case).count("priority_changed") == 1  # no chunk done twice
    assert bulk_chunk_run(job_id=job.pk, now=later) is False  # a late duplicate does nothing


def test_progress_page_polls_until_done(as_supervisor, org, agent, settings) -> None:
    settings.PLAINT_BULK_BACKGROUND_OVER = 1
    cases = [open_case(org, agent) for _ in range(3)]
    post(as_supervisor, action="note", scope="selected", case=[c.pk for c in cases], text="n")
    job = BulkJob.objects.get()
    assert job.background and job.state == "running"
    page = as_supervisor.get(f"/bulk/{job.pk}/").content.decode()
    assert (
        'hx-trigger="every 1s"' in page
        and "0 of 3" in page
        and "<script>" not in page.split("</head>")[1]
    )
    bulk_job_run(job_id=job.pk, now=NOW)
    fragment = as_supervisor.get(f"/bulk/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "3</b> cases changed" in fragment


def test_bulk_start_refuses_export_and_unknown_cases(supervisor, three) -> None:
    with pytest.raises(FieldErrors):
        bulk_start(
            user=supervisor,
            request=BulkRequest(BulkAction.EXPORT),
            case_ids=[three[0].pk],
            now=NOW,
            background_over=10,
        )
    with pytest.raises(FieldErrors) as caught:
        bulk_start(
            user=supervisor,
            request=BulkRequest(BulkAction.NOTE, text="x"),
            case_ids=[],
            now=NOW,
            background_over=10,
        )
    assert caught.value.errors == {"cases": "choose at least one case"}
