"""The bulk job's background task (django-tasks, database queue); `plaint worker` runs it."""

from __future__ import annotations

from django_tasks import task

from plaint.bulk.services import bulk_job_run


@task()
def bulk_job_task(*, job_id: int) -> dict[str, int]:
    """Do the job's remaining chunks; each chunk stamps its own real time."""
    job = bulk_job_run(job_id=job_id)
    return {"done": job.done, "refused": job.refused, "cursor": job.cursor}
