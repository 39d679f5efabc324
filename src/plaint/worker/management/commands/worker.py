"""`plaint worker`: the background worker. Every --interval seconds it queues one pass of
the deadline watch and runs every other part's periodic work (`plaint.worker.periodic`:
the outbox, terminations, the reputation watch, checkpoints); every --poll seconds it runs
every queued task (the watch itself, triage of cases opened over the API, notification
mail).

`--processes N` runs N such processes side by side (PostgreSQL only): the first runs the
periodic work and tasks, the others only tasks (`--tasks-only`); each task is claimed by
one of them with `SELECT … FOR UPDATE SKIP LOCKED` (see `plaint.worker.pool`). SIGTERM
finishes the current task, then stops.

`--now ISO-DATETIME` pins its clock (for replays and tests): the first pass runs at that
instant, and each later one at that instant plus the real time elapsed since the start."""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone

from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.deadlines.tasks import deadlines_tick_task
from plaint.worker.periodic import others_pass
from plaint.worker.pool import Stop, supervise, tasks_drain

SQLITE_ONE_WRITER = (
    "SQLite takes one writer at a time, so more worker processes would only wait for each "
    "other: --processes above 1 needs PostgreSQL (set DATABASE_URL). Run one worker "
    "process on SQLite."
)


def _positive(raw: str) -> float:
    value = float(raw)
    if not value > 0 or value != value or value == float("inf"):
        raise ValueError(raw)
    return value


class Command(BaseCommand):
    help = "Run the background worker (every part's periodic work, then queued tasks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=_positive,
            default=60.0,
            help="Seconds between passes of the periodic work (60).",
        )
        parser.add_argument(
            "--poll",
            type=_positive,
            default=1.0,
            help="Seconds between looks at the task queue when it is empty (1).",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="Worker processes to run side by side (1; above 1 needs PostgreSQL).",
        )
        parser.add_argument(
            "--tasks-only",
            action="store_true",
            help="Run queued tasks only, no periodic work (for processes beside a leader).",
        )
        parser.add_argument(
            "--once", action="store_true", help="One pass, run every queued task, then stop."
        )
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        processes = options["processes"]
        if not 1 <= processes <= 64:
            raise CommandError(f"--processes must be between 1 and 64, not {processes}.")
        if processes > 1:
            if connection.vendor == "sqlite":
                raise CommandError(SQLITE_ONE_WRITER)
            self._pool(processes, options)
            return
        self._run(options)

    def _pool(self, processes: int, options: dict[str, Any]) -> None:
        base = [sys.executable, "-m", "plaint", "worker", "--processes", "1"]
        for name in ("interval", "poll", "now"):
            if options[name] is not None:
                base += [f"--{name}", str(options[name])]
        base += ["--verbosity", str(options["verbosity"])]
        if options["once"]:
            base.append("--once")
        leader = [] if options["tasks_only"] else [base]
        helpers = [[*base, "--tasks-only"]] * (processes - len(leader))
        connection.close()  # the parent holds no connection while its processes run
        self.stdout.write(f"Worker pool: {processes} processes.")
        status = supervise([*leader, *helpers])
        if status:
            raise CommandError(f"A worker process exited with status {status}.")

    def _run(self, options: dict[str, Any]) -> None:
        stop = Stop()
        stop.install()
        pinned, started = pinned_now(options["now"]), time.monotonic()
        tasks_only, verbosity = options["tasks_only"], options["verbosity"]
        if verbosity > 0:
            role = "tasks only" if tasks_only else "periodic work and tasks"
            self.stdout.write(f"Worker process {os.getpid()} ready ({role}).")
            self.stdout.flush()
        next_pass = time.monotonic()
        while not stop.requested:
            close_old_connections()
            if not tasks_only and time.monotonic() >= next_pass:
                next_pass = time.monotonic() + options["interval"]
                self._periodic(pinned, started, verbosity)
            tasks_drain(stop)
            close_old_connections()
            if options["once"]:
                return
            stop.sleep(options["poll"])
        if verbosity > 0:
            self.stdout.write(f"Worker process {os.getpid()} stopped.")

    def _periodic(self, pinned: Any, started: float, verbosity: int) -> None:
        if pinned is None:
            deadlines_tick_task.enqueue()
            at = timezone.now()
        else:
            at = pinned + timedelta(seconds=time.monotonic() - started)
            deadlines_tick_task.enqueue(now=at.isoformat())
        # Every other part's periodic work: the outbox (with retries and backoff),
        # terminations, the reputation watch, checkpoints, old Idempotency-Keys.
        done = others_pass(now=at)
        news = done.outbox is not None and bool(done.outbox.sent or done.outbox.unknown)
        for line in done.lines:
            if (
                verbosity > 1
                or (news and line.startswith("Outbox:"))
                or line.split(":")[0] in done.failed
            ):
                self.stdout.write(line)
