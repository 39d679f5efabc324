"""`plaint deadlines explain REF --org SLUG` and `plaint deadlines refresh [--org SLUG]`."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.deadlines.selectors import case_deadline_derivation, case_deadlines
from plaint.deadlines.services import case_deadlines_refresh, organisation_deadlines_refresh
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = "Explain how a case's deadlines were counted, or re-derive deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        explain = sub.add_parser("explain", help="Show each deadline of a case, step by step.")
        explain.add_argument("reference", help="The case reference, e.g. PL-2026-000123.")
        explain.add_argument("--org", required=True, help="Slug of the organisation.")
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
        self._explain(case)

    def _explain(self, case: Case) -> None:
        zone = ZoneInfo(case.organisation.time_zone)
        stored = {row.key: row for row in case_deadlines(case=case)}
        self.stdout.write(
            f"{case.reference} — regimes: HOUSE"
            f"{', ' + case.regime if case.regime else ''}; times in {zone.key}"
        )
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
            self.stdout.write(
                f"\n{due.key}{mark}\n  {due.rule.title}\n  due: {when} "
                f"({state}; {due.rule.party.value} side)"
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
