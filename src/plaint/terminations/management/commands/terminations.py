"""`plaint terminations tick [--now ISO]`: terminations whose effective date has come take
effect, with their aftermath tasks (run it from cron beside `plaint tick`).
`plaint terminations explain ORG ID [--on DATE]`: the notice rules for a termination,
step by step, with their sources and what could not be verified."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.domain.errors import DomainError
from plaint.terminations import selectors, services


class Command(BaseCommand):
    help = "Terminations: the aftermath tick, and the notice rules explained."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tick = sub.add_parser("tick", help="Take effect on the effective date; create tasks.")
        add_now_argument(tick)
        explain = sub.add_parser("explain", help="The notice rules for one termination.")
        explain.add_argument("organisation", help="The organisation's slug.")
        explain.add_argument("id", type=int, help="The termination's number.")
        explain.add_argument("--on", help="Notice given on this date (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "tick":
            now = pinned_now(options["now"]) or timezone.now()
            report = services.terminations_tick(now=now)
            self.stdout.write(
                f"Terminations: {report.took_effect} took effect, {report.tasks} aftermath "
                "task(s) created."
            )
            return
        try:
            org = organisation_get(slug=options["organisation"])
            t = selectors.termination_get(organisation=org, pk=options["id"])
            on = (
                date.fromisoformat(options["on"])
                if options["on"]
                else timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
            )
            decision = services.termination_notice_decision(termination=t, notice_on=on)
        except selectors.TerminationNotFound:
            raise CommandError(f"No such termination: #{options['id']}.") from None
        except (DomainError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        for n, step in enumerate(decision.steps, 1):
            self.stdout.write(f"{n}. {step}")
        for rule in decision.rules:
            for s in rule.sources:
                self.stdout.write(
                    f"   source: {s.citation} [{s.verification.value}, last verified "
                    f"{s.last_verified.isoformat()}] {s.url}"
                )
        for note in decision.unverified:
            self.stdout.write(f"NOT VERIFIED: {note}")
