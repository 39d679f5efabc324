"""Background tasks (django-tasks, database queue). `plaint worker` runs them."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from plaint.deadlines.services import deadlines_tick


@task()
def notification_send(*, recipients: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@task()
def deadlines_tick_task(now: str | None = None) -> dict[str, int]:
    """One pass of the deadline watch, at `now` (an aware ISO 8601 instant, as `plaint worker
    --now` pins it) or, without it, at the real time the task runs."""
    at = datetime.fromisoformat(now) if now is not None else timezone.now()
    return dataclasses.asdict(deadlines_tick(now=at))
