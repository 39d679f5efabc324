"""Background tasks (django-tasks, database queue). `plaint worker` runs them."""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from plaint.deadlines.services import deadlines_tick


@task()
def notification_send(*, recipients: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@task()
def deadlines_tick_task() -> dict[str, int]:
    return dataclasses.asdict(deadlines_tick(now=timezone.now()))
