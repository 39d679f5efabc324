"""`plaint deadlines explain REF --org SLUG` and `plaint deadlines refresh [--org SLUG]`."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.deadlines.facts import case_regimes
from plaint.deadlines.selectors import case_deadline_derivation, case_deadlines
from plaint.deadlines.services import case_deadlines_refresh, organisation_deadlines_refresh
from plaint.domain.deadlines.engine import period_usage
from plaint.domain.deadlines.model import Roll, Unit
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = "Explain how a case's deadlines were counted, or re-derive deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        explain = sub.add_parser("explain", help="Show each deadline of a case, step by step.")
        explain.add_argument("reference", help="The case reference, e.g. PL-2026-000123.")
        explain.add_argument("--org", required=True, help="Slug of the organisation.")
        explain.add_argument(
            "--as-of",
            default=None,
            help="Count days used and remaining as of this date (YYYY-MM-DD; default today).",
        )
        refresh = sub.add_parser("refresh", help="Re-derive deadlines now.")
        refresh.add_argument(
            "reference", nargs="?", help="One case reference (default: every open case)."
        )
        refresh.add_argument("--org", required=True, help="Slug of the organisation.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_get(slug=options["org"])
            case = (
                case_get(organisation=org, reference=options["reference"])
                if options["reference"]
                else None
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except CaseNotFound:
            raise CommandError(f"No case {options['reference']} in {org.slug}.") from None
        now = timezone.now()
        if options["action"] == "refresh":
            if case is not None:
                result = case_deadlines_refresh(case=case, now=now)
                self.stdout.write(
                    f"{case.reference}: {len(result.changed)} deadline(s) set or "
                    f"moved, {len(result.met)} met."
                )
            else:
                n = organisation_deadlines_refresh(organisation=org, now=now)
                self.stdout.write(f"Deadlines re-derived for {n} case(s) of {org.slug}.")
            return
        assert case is not None
        zone = ZoneInfo(case.organisation.time_zone)
        today = now.astimezone(zone).date()
        if options.get("as_of"):
            try:
                today = date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError(
                    f"--as-of {options['as_of']!r} is not a date; write it as YYYY-MM-DD."
                ) from None
        self._explain(case, today)

    def _explain(self, case: Case, today: date) -> None:
        zone = ZoneInfo(case.organisation.time_zone)
        stored = {row.key: row for row in case_deadlines(case=case)}
        regimes = ", ".join(f"{r.code} (version {r.version})" for r in case_regimes(case))
        self.stdout.write(f"{case.reference} — regimes: {regimes}; times in {zone.key}")
        for due in case_deadline_derivation(case=case):
            row = stored.get(due.key)
            state = row.get_state_display() if row else "not started"
            if due.due_at is None or due.due_date is None:
                when = due.blocked
            elif due.rule.end_of == "day":
                when = f"end of {due.due_date:%a %d %b %Y}"
            else:
                when = due.due_at.astimezone(zone).strftime("%a %d %b %Y %H:%M")
            mark = (
                ""
                if due.rule.verification.value in {"primary", "policy"}
                else (f" [{due.rule.verification.value.upper()}]")
            )
            rule = due.rule
            if rule.party.value == "customer":
                label = (
                    "customer's window closes" if rule.kind == "window" else ("customer's deadline")
                )
            else:
                label = "window closes" if rule.kind == "window" else "due"
            self.stdout.write(
                f"\n{due.key}{mark}\n  {rule.title}\n  {label}: {when} "
                f"({state}; {rule.party.value} side)"
            )
            if rule.description:
                self.stdout.write(f"  {rule.description}")
            if rule.period.unit is Unit.BUSINESS_DAYS or rule.roll is not Roll.NONE:
                self.stdout.write(f"  counts on: {rule.calendar} calendar — {rule.calendar_note}")
            elif not rule.earliest_of:
                self.stdout.write(
                    "  counts on: every calendar day (weekends and holidays included); "
                    "the last day does not move, so no holiday convention applies"
                )
            if due.provisional:
                self.stdout.write(f"  {due.provisional}")
            for warning in due.warnings:
                self.stdout.write(f"  warning: {warning}")
            usage = period_usage(due, zone, today) if rule.pausable else None
            if usage is not None:
                used, remaining = usage
                self.stdout.write(
                    f"  on {today:%a %d %b %Y}: {used} of {rule.period.amount} days used, "
                    f"{remaining} day{'' if remaining == 1 else 's'} remaining"
                    + (f" ({due.paused_days} paused)" if due.paused_days else "")
                )
            for step in due.steps:
                self.stdout.write(f"    - {step.text}")
            for source in due.rule.sources:
                self.stdout.write(
                    f"    source: {source.citation} ({source.verification.value},"
                    f" last verified {source.last_verified:%Y-%m-%d})"
                    f"{' ' + source.url if source.url else ''}"
                )
                if source.note:
                    self.stdout.write(f"      note: {source.note}")
