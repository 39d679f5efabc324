"""A task for the worker-pool tests: it writes one row keyed by the task's own key into a
table whose key is unique, so a task run twice would fail on its second insert and a lost
task would leave its key missing."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task

PROBE_TABLE = "scaleout_probe"


@task()
def probe_write(*, key: str, pause: float) -> int:
    """Wait `pause` seconds (a task that takes time), then record `key` and this pid."""
    time.sleep(pause)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {PROBE_TABLE} (key, pid) VALUES (%s, %s)",
            [key, os.getpid()],
        )
    return os.getpid()
