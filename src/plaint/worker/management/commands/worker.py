"""`plaint worker`: the background worker. Every --interval seconds it queues one pass of
the deadline watch, runs every other part's periodic work (`plaint.worker.periodic`: the
outbox, terminations, the reputation watch, checkpoints), then runs every queued task (the
watch itself, triage of cases opened over the API, notification mail).

`--now ISO-DATETIME` pins its clock (for replays and tests): the first pass runs at that
instant, and each later one at that instant plus the real time elapsed since the start."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.deadlines.tasks import deadlines_tick_task
from plaint.worker.periodic import others_pass


class Command(BaseCommand):
    help = "Run the background worker (every part's periodic work, then queued tasks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=60.0,
            help="Seconds between passes of the deadline watch (60).",
        )
        parser.add_argument(
            "--once", action="store_true", help="One pass, run every queued task, then stop."
        )
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        pinned, started = pinned_now(options["now"]), time.monotonic()
        while True:
            if pinned is None:
                deadlines_tick_task.enqueue()
            else:
                elapsed = timedelta(seconds=time.monotonic() - started)
                deadlines_tick_task.enqueue(now=(pinned + elapsed).isoformat())
            # Every other part's periodic work: the outbox (with retries and backoff),
            # terminations, the reputation watch, checkpoints, old Idempotency-Keys.
            at = timezone.now() if pinned is None else pinned + elapsed
            done = others_pass(now=at)
            news = done.outbox is not None and bool(done.outbox.sent or done.outbox.unknown)
            for line in done.lines:
                if (
                    options["verbosity"] > 1
                    or (news and line.startswith("Outbox:"))
                    or line.split(":")[0] in done.failed
                ):
                    self.stdout.write(line)
            call_command(
                "db_worker",
                batch=True,
                interval=0,
                no_startup_delay=True,
                verbosity=options["verbosity"],
            )
            if options["once"]:
                return
            time.sleep(options["interval"])
