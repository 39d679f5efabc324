"""`plaint tick [--now ISO-DATETIME]`: one pass of every part's periodic work (for cron):
the deadline watch, the outbox, terminations, the reputation watch, checkpoints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.worker.periodic import periodic_pass


class Command(BaseCommand):
    help = "One pass of all periodic work (deadlines, outbox, terminations, checkpoints)."

    def add_arguments(self, parser: CommandParser) -> None:
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = pinned_now(options["now"]) or timezone.now()
        report = periodic_pass(now=now)
        for line in report.lines:
            self.stdout.write(line)
        if report.failed:  # every other part ran; cron sees the failure in the exit status
            raise CommandError(f"Periodic work failed: {', '.join(report.failed)}.")
