"""`plaint tick`: one pass of the deadline watch (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from plaint.deadlines.services import deadlines_tick


class Command(BaseCommand):
    help = "Re-derive changed cases' deadlines, send due reminders, escalate missed deadlines."

    def handle(self, *args: Any, **options: Any) -> None:
        report = deadlines_tick(now=timezone.now())
        self.stdout.write(
            f"Deadline watch: {report.refreshed} case(s) re-derived, {report.reminders} "
            f"reminder(s), {report.breaches} missed deadline(s), {report.escalated} escalated."
        )
