"""`plaint worker`: the background worker. Every --interval seconds it queues one pass of
the deadline watch, delivers the outbox's due mail, then runs every queued task (the watch
itself, notification mail).

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
from plaint.outbox.services import deliveries_run


class Command(BaseCommand):
    help = "Run the background worker (deadline watch and notifications)."

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
            # The outbox (customer e-mail): due deliveries, with retries and backoff.
            at = timezone.now() if pinned is None else pinned + elapsed
            report = deliveries_run(now=at)
            if options["verbosity"] > 1 or report.sent or report.unknown:
                self.stdout.write(str(report))
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
