"""Running `plaint worker` as several processes side by side, and stopping them cleanly.

Claiming is django-tasks-db's: each process takes the next ready task with
`SELECT … FOR UPDATE SKIP LOCKED` (`DBTaskResultQuerySet.get_locked`) and marks it RUNNING
with its worker id in the same transaction, so two processes never run one task; on
SQLite the claim is an EXCLUSIVE transaction instead. Only the first process of a pool
(the *leader*) runs the periodic pass (`plaint.worker.periodic`), because some of its
parts (checkpoints, consumer reminders) are not meant to run twice at one instant; the
others only run queued tasks (`--tasks-only`).

SIGTERM or SIGINT asks a process to stop: it finishes the task or the part it is running,
claims nothing more and exits 0. A second signal stops it at once (exit 1). The pool's
parent passes SIGTERM on to every process and waits for them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from django_tasks_db.management.commands.db_worker import Worker


class Stop:
    """The stop request of one process, set by SIGTERM/SIGINT."""

    def __init__(self) -> None:
        self.requested = False
        self.draining: Worker | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:  # a second signal: stop now
            sys.exit(1)
        self.requested = True
        if self.draining is not None:  # finish the current task, claim no other
            self.draining.running = False

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or less if a stop is requested meanwhile."""
        end = time.monotonic() + seconds
        while not self.requested and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, 0.1))


def worker_id() -> str:
    """This process's id in `DBTaskResult.worker_ids`: host and pid (at most 64 chars)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


def tasks_drain(stop: Stop) -> None:
    """Run queued tasks, each claimed with SKIP LOCKED, until none is ready or a stop is
    requested (the current task is finished first)."""
    if stop.requested:
        return
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )
    stop.draining = worker
    try:
        worker.run()
    finally:
        stop.draining = None


def supervise(commands: Sequence[Sequence[str]]) -> int:
    """Start one process per command, pass SIGTERM/SIGINT on to all of them, and wait.
    When one exits with an error before a stop was asked for, the others are stopped and
    its status is returned; otherwise 0 once all have exited."""
    # Our own command lines (sys.executable -m plaint worker ...), never outside input.
    processes = [subprocess.Popen(list(command)) for command in commands]  # noqa: S603
    stopping = False

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.poll() is None:
                process.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    status = 0
    running = list(processes)
    while running:
        for process in list(running):
            code = process.poll()
            if code is None:
                continue
            running.remove(process)
            if code != 0 and status == 0:
                status = code
                if not stopping:
                    forward(signal.SIGTERM, None)
        time.sleep(0.1)
    return status
