"""Background work of the records part (django-tasks, run by `plaint worker`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from plaint.accounts.models import Organisation
from plaint.records.anchoring import checkpoint_write
from plaint.records.models import Checkpoint

#: How often each organisation's chain heads are checkpointed.
CHECKPOINT_EVERY = timedelta(days=1)


def checkpoints_due(*, now: datetime) -> list[str]:
    """Checkpoint every organisation whose last checkpoint is older than
    `CHECKPOINT_EVERY` (or that has none). Returns the slugs checkpointed."""
    done = []
    for org in Organisation.objects.order_by("slug"):
        last = Checkpoint.objects.filter(organisation=org).order_by("-signed_at").first()
        if last is None or now - last.signed_at >= CHECKPOINT_EVERY:
            checkpoint_write(organisation=org, now=now)
            done.append(org.slug)
    return done


@task()
def checkpoints_due_task(now: str | None = None) -> list[str]:
    """`checkpoints_due` at `now` (an aware ISO 8601 instant, as `plaint worker --now` pins
    it) or, without it, at the real time the task runs."""
    at = datetime.fromisoformat(now) if now is not None else timezone.now()
    return checkpoints_due(now=at)
