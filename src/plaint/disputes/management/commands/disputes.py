"""`plaint disputes next | referral | due`.

`next` and `referral` work without a database from the facts given on the command line
(a consumer on their own), or from a case (`--case REF --org SLUG`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.disputes import selectors
from plaint.domain.disputes.next_steps import JURISDICTIONS, SIDES, Problem, Step, next_steps
from plaint.domain.disputes.referrals import (
    ReferralFacts,
    ReferralWindow,
    referral_rule,
    referral_window,
)
from plaint.domain.errors import DomainError

_MARKS = {"primary": "✅", "secondary": "🟡", "unverified": "⚠️ UNVERIFIED", "policy": "practice"}


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{name} {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Disputes: what next after an ignored letter; ombudsman and ADR referral windows."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        nxt = sub.add_parser("next", help="What to do next when a letter was ignored.")
        nxt.add_argument("--case", help="a case reference (with --org)")
        nxt.add_argument("--org", help="the organisation's slug")
        nxt.add_argument(
            "--side", default="customer", choices=SIDES, help="whose letter was ignored (customer)"
        )
        nxt.add_argument("--jurisdiction", choices=JURISDICTIONS, help="without --case")
        nxt.add_argument("--problem", choices=[p.value for p in Problem], help="without --case")
        nxt.add_argument(
            "--arbitration-clause",
            action="store_true",
            help="the contract has an arbitration clause (Plaint never assumes one)",
        )
        for fact in (
            "business",
            "other-party",
            "reference",
            "conduct",
            "description",
            "desired-resolution",
        ):
            nxt.add_argument(
                f"--{fact}",
                default="",
                help=f"the {fact.replace('-', ' ')} the texts use (without --case)",
            )
        nxt.add_argument("--first-letter-date", help="YYYY-MM-DD")
        ref = sub.add_parser("referral", help="When a complaint may go to the ombudsman or ADR.")
        ref.add_argument("--case", help="a case reference (with --org)")
        ref.add_argument("--org", help="the organisation's slug")
        ref.add_argument("--regime", help="without --case, e.g. UK-FCA-DISP")
        ref.add_argument("--complaint", help="date the complaint was made, YYYY-MM-DD")
        ref.add_argument("--final-response", help="YYYY-MM-DD")
        ref.add_argument("--deadlock", help="date of the deadlock letter, YYYY-MM-DD")
        ref.add_argument("--today", help="count as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _case(self, options: dict[str, Any]) -> Any:
        if not options.get("org"):
            raise CommandError("--case needs --org SLUG.")
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        try:
            return case_get(organisation=org, reference=options["case"])
        except CaseNotFound:
            raise CommandError(f"No case {options['case']} in {org.name}.") from None

    def _next(self, options: dict[str, Any]) -> None:
        if options.get("case"):
            case = self._case(options)
            steps = selectors.case_next_steps(
                case=case,
                side=options["side"],
                arbitration_clause=options["arbitration_clause"],
            )
        else:
            if not options.get("jurisdiction") or not options.get("problem"):
                raise CommandError("Give --case and --org, or --jurisdiction and --problem.")
            facts = {
                "business": options["business"],
                "other_party": options["other_party"] or options["business"],
                "reference": options["reference"],
                "conduct": options["conduct"],
                "description": options["description"],
                "desired_resolution": options["desired_resolution"],
                "first_letter_date": _date(options.get("first_letter_date"), "first-letter-date"),
            }
            steps = next_steps(
                side=options["side"],
                jurisdiction=options["jurisdiction"],
                problem=options["problem"],
                facts=facts,
                arbitration_clause=options["arbitration_clause"],
            )
        self._print_steps(steps)

    def _print_steps(self, steps: list[Step]) -> None:
        w = self.stdout.write
        for number, step in enumerate(steps, start=1):
            spec = step.spec
            w(f"{number}. {spec.title} [{spec.kind}, {_MARKS[spec.verification.value]}]")
            if spec.where:
                w(f"   Where: {spec.where}")
            if spec.letter:
                w(f"   Letter: plaint letter fields {spec.letter}")
            if step.text:
                w(f"   {step.text}")
            for line in step.facts:
                w(f"     {line}")
            if step.missing:
                w(f"   Still needed: {', '.join(step.missing)}")
            for source in spec.sources:
                w(
                    f"   Source: {source.citation} ({_MARKS[source.verification.value]}, "
                    f"last verified {source.last_verified.isoformat()})"
                )
        w("This is information, not legal advice.")

    def _referral(self, options: dict[str, Any]) -> None:
        today = _date(options.get("today"), "today") or timezone.localdate()
        if options.get("case"):
            window = selectors.referral_option(case=self._case(options), today=today)
        else:
            complaint = _date(options.get("complaint"), "complaint")
            if not options.get("regime") or complaint is None:
                raise CommandError("Give --case and --org, or --regime and --complaint.")
            facts = ReferralFacts(
                complaint=complaint,
                final_response=_date(options.get("final_response"), "final-response"),
                deadlock=_date(options.get("deadlock"), "deadlock"),
            )
            window = referral_window(referral_rule(options["regime"]), facts, today=today)
        self._print_window(window)

    def _print_window(self, window: ReferralWindow) -> None:
        w, rule = self.stdout.write, window.rule
        w(f"{rule.regime}: {rule.body} [{_MARKS[rule.verification.value]}]")
        w(f"  May refer from: {window.opens_on.isoformat()} ({window.opens_because})")
        closes = window.closes_on.isoformat() if window.closes_on else "no date"
        w(f"  Refer by:       {closes} ({window.closes_because})")
        w(f"  Today:          {window.state.value.replace('_', ' ')}")
        for note in rule.notes:
            w(f"  Note: {note}")
        for source in rule.sources:
            w(
                f"  Source: {source.citation} ({_MARKS[source.verification.value]}, "
                f"last verified {source.last_verified.isoformat()})"
            )
