"""Starting and running bulk jobs. Every case is changed by its own per-case service
(`plaint.cases.services`), which locks it, decides whether the change is allowed and writes
its ledger event in the same transaction; a case it refuses is recorded with the reason.

A job is done in chunks of `CHUNK` cases. Each chunk is one transaction that also moves
the job's cursor, with the job's row locked: a task and a resume can never do the same
chunk twice, and a crash in a chunk undoes that chunk only, so the job resumes from it."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from plaint.accounts.models import User
from plaint.accounts.selectors import staff_list
from plaint.bulk.models import BulkJob, BulkRefusal
from plaint.cases import selectors as case_selectors
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.deadlines.services import case_deadlines_refresh
from plaint.domain.bulk import (
    BulkAction,
    BulkRequest,
    CaseFacts,
    bulk_refusal,
    bulk_request_check,
    next_chunk,
    runs_in_background,
)
from plaint.domain.errors import DomainError, FieldErrors

#: Cases per chunk (one transaction each).
CHUNK = 200
#: A background job that has not moved for this long is taken up again by `plaint worker`.
RESUME_AFTER = timedelta(minutes=2)

#: The permission each action needs: the same as the case page's action.
PERMISSION: dict[BulkAction, str] = {
    BulkAction.ASSIGN: "cases.reassign_case",
    BulkAction.PRIORITY: "cases.work_case",
    BulkAction.TRANSITION: "cases.work_case",
    BulkAction.NOTE: "cases.work_case",
    BulkAction.EXPORT: "cases.view_case",
}


class BulkNotAllowed(DomainError):
    """The member of staff's role does not allow this action."""


def bulk_allowed(*, user: User, action: BulkAction) -> bool:
    return user.organisation_id is not None and user.has_perm(PERMISSION[action])


def bulk_cases_check(*, user: User, case_ids: Sequence[int]) -> list[int]:
    """`case_ids` without repeats, in order, if every one is a case `user` may see (of
    their own organisation); otherwise a precise error and nothing is done."""
    if user.organisation is None:
        raise BulkNotAllowed("Your account does not belong to an organisation.")
    wanted = list(dict.fromkeys(case_ids))
    if not wanted:
        raise FieldErrors({"cases": "choose at least one case"})
    visible = case_selectors.case_list(organisation=user.organisation, visible_to=user)
    seen: set[int] = set()
    for start in range(0, len(wanted), 5000):
        part = wanted[start : start + 5000]
        seen.update(visible.filter(pk__in=part).values_list("pk", flat=True))
    unknown = len(wanted) - len(seen)
    if unknown:
        raise FieldErrors(
            {"cases": f"{unknown} of the chosen cases are not cases you may see; nothing done"}
        )
    return wanted


def bulk_start(
    *,
    user: User,
    request: BulkRequest,
    case_ids: Sequence[int],
    now: datetime,
    background_over: int,
) -> BulkJob:
    """Check the request and the cases, store the job with its case ids, then run it here
    (up to `background_over` cases) or queue it for the worker. Nothing is changed if the
    request or any case id is refused."""
    case_services.require_aware(now=now)
    if request.action is BulkAction.EXPORT:
        raise FieldErrors({"action": "an export is a download, not a job"})
    if not bulk_allowed(user=user, action=request.action):
        raise BulkNotAllowed("Your role does not allow this on a case.")
    bulk_request_check(request)
    if request.action is BulkAction.ASSIGN and request.assignee_id is not None:
        assert user.organisation is not None
        members = {u.pk for u in staff_list(organisation=user.organisation)}
        if request.assignee_id not in members:
            raise FieldErrors({"assignee": "is not active staff of this organisation"})
    ids = bulk_cases_check(user=user, case_ids=case_ids)
    assert user.organisation is not None
    background = runs_in_background(len(ids), over=background_over)
    job = BulkJob.objects.create(
        organisation=user.organisation,
        user=user,
        action=request.action.value,
        parameters={
            "assignee_id": request.assignee_id,
            "priority": request.priority,
            "to": request.to,
            "text": request.text,
        },
        case_ids=ids,
        total=len(ids),
        background=background,
        started_at=now,
        progressed_at=now,
    )
    if background:
        from plaint.bulk.tasks import bulk_job_task  # the task module imports this one

        transaction.on_commit(lambda: bulk_job_task.enqueue(job_id=job.pk))
    else:
        bulk_job_run(job_id=job.pk, now=now)
        job.refresh_from_db()
    return job


def job_request(job: BulkJob) -> BulkRequest:
    p = job.parameters
    return BulkRequest(
        action=BulkAction(job.action),
        assignee_id=p.get("assignee_id"),
        priority=p.get("priority", ""),
        to=p.get("to", ""),
        text=p.get("text", ""),
    )


def _apply(
    request: BulkRequest, case: Case, assignee: User | None, actor: Actor, now: datetime
) -> None:
    """The per-case service for the action (raises `DomainError` if it refuses)."""
    if request.action is BulkAction.ASSIGN:
        case_services.case_assign(case=case, assignee=assignee, actor=actor, now=now)
    elif request.action is BulkAction.PRIORITY:
        case_services.case_priority_set(case=case, priority=request.priority, actor=actor, now=now)
    elif request.action is BulkAction.TRANSITION:
        case_services.case_transition(case=case, to=request.to, actor=actor, now=now)
        case_deadlines_refresh(case=case, now=now)  # as the case page does after a move
    elif request.action is BulkAction.NOTE:
        case_services.case_note_add(case=case, text=request.text, actor=actor, now=now)
    else:  # pragma: no cover - bulk_start refuses an export job
        raise DomainError(f"{request.action} is not a job")


def bulk_chunk_run(*, job_id: int, now: datetime, size: int = CHUNK) -> bool:
    """Do the job's next chunk in one transaction, with the job's row locked, and move its
    cursor past it. True while cases remain."""
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().select_related("user").get(pk=job_id)
        if job.state == BulkJob.State.DONE:
            return False
        positions = next_chunk(job.total, done=job.cursor, size=size)
        request = job_request(job)
        actor = Actor.staff(job.user)
        assignee = None
        if request.action is BulkAction.ASSIGN and request.assignee_id is not None:
            assignee = User.objects.filter(pk=request.assignee_id).first()
        ids = job.case_ids[positions.start : positions.stop]
        found = {
            c.pk: c for c in Case.objects.filter(organisation_id=job.organisation_id, pk__in=ids)
        }
        refusals: list[BulkRefusal] = []
        done = 0
        for position, case_id in zip(positions, ids, strict=True):
            case = found.get(case_id)
            if case is None:
                refusals.append(
                    BulkRefusal(
                        job=job,
                        position=position,
                        reference=f"#{case_id}",
                        reason="no longer exists",
                    )
                )
                continue
            facts = CaseFacts(case.reference, case.status, case.priority, case.assignee_id)
            reason = bulk_refusal(request, facts)
            if reason is None:
                try:
                    with transaction.atomic():
                        _apply(request, case, assignee, actor, now)
                except DomainError as exc:
                    reason = exc.message
            if reason is None:
                done += 1
            else:
                refusals.append(
                    BulkRefusal(
                        job=job, position=position, reference=case.reference, reason=reason[:500]
                    )
                )
        BulkRefusal.objects.bulk_create(refusals)
        job.cursor = positions.stop
        job.done += done
        job.refused += len(refusals)
        job.progressed_at = now
        if job.cursor >= job.total:
            job.state = BulkJob.State.DONE
            job.finished_at = now
        job.save(
            update_fields=["cursor", "done", "refused", "progressed_at", "state", "finished_at"]
        )
        return job.state == BulkJob.State.RUNNING


def bulk_job_run(*, job_id: int, now: datetime | None = None, size: int = CHUNK) -> BulkJob:
    """Do the job's remaining chunks, one transaction each (`now`: each chunk's own
    instant, or the real time if not given)."""
    while bulk_chunk_run(job_id=job_id, now=now or timezone.now(), size=size):
        pass
    return BulkJob.objects.get(pk=job_id)


def bulk_jobs_resume(*, now: datetime) -> int:
    """Queue again every background job that has not moved for `RESUME_AFTER` (its task
    died, say, with the worker): it carries on from its cursor. The number queued."""
    from plaint.bulk.tasks import bulk_job_task  # the task module imports this one

    stale = BulkJob.objects.filter(
        state=BulkJob.State.RUNNING, background=True, progressed_at__lt=now - RESUME_AFTER
    ).values_list("pk", flat=True)
    count = 0
    for job_id in list(stale):
        with transaction.atomic():
            BulkJob.objects.filter(pk=job_id).update(progressed_at=now)
            transaction.on_commit(functools.partial(bulk_job_task.enqueue, job_id=job_id))
        count += 1
    return count
