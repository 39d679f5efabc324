"""Background tasks of the intake (django-tasks, database queue); `plaint worker` runs them."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from plaint.cases.models import Case
from plaint.intake.services import complaint_triage


@task()
def intake_triage_task(*, case_id: int, now: str) -> str:
    """Triage the case opened at `now` (an aware ISO 8601 instant), once."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return "gone"
    record = complaint_triage(case=case, now=datetime.fromisoformat(now))
    return "triaged" if record is not None else "skipped"
