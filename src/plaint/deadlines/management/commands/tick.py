"""`plaint tick [--now ISO-DATETIME]`: one pass of the deadline watch (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.deadlines.services import deadlines_tick


class Command(BaseCommand):
    help = "Re-derive changed cases' deadlines, send due reminders, escalate missed deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        add_now_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        now = pinned_now(options["now"]) or timezone.now()
        report = deadlines_tick(now=now)
        self.stdout.write(
            f"Deadline watch: {report.refreshed} case(s) re-derived, {report.reminders} "
            f"reminder(s), {report.breaches} missed deadline(s), {report.escalated} escalated."
        )
