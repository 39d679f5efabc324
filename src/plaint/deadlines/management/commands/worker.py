"""`plaint worker`: the background worker. Every --interval seconds it queues one pass of
the deadline watch, then runs every queued task (the watch itself, notification mail)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from plaint.deadlines.tasks import deadlines_tick_task


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

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            deadlines_tick_task.enqueue()
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
