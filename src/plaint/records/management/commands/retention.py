"""`plaint retention run [--org SLUG] [--today YYYY-MM-DD]`,
`plaint retention hold|lift REF [--customer] --reason TEXT` and
`plaint retention erase REF... --confirmed-by USERNAME [--org SLUG] [--today DATE]`,
`plaint retention schedule --org SLUG` and `plaint retention policy --org SLUG [--regime
CODE] --years N [--from received|closed] --reason TEXT --by ADMIN`: the retention schedule,
legal holds on a case or on its customer, and erasure by redaction."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation, User
from plaint.accounts.selectors import organisation_get
from plaint.domain.errors import DomainError, FieldErrors
from plaint.records.erasure import case_erase, erasure_purge
from plaint.records.management.commands.case import actor_for, case_find
from plaint.records.retention import (
    customer_hold_lift,
    customer_hold_place,
    legal_hold_lift,
    legal_hold_place,
    retention_due,
    retention_policy_set,
    retention_schedule,
)


class Command(BaseCommand):
    help = "Retention: list closed cases past their period; place and lift legal holds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="List the cases whose retention period has ended.")
        run.add_argument("--org", help="one organisation (its slug); default: every one")
        run.add_argument("--today", help="the day to judge by, YYYY-MM-DD (default: today)")
        erase = sub.add_parser(
            "erase", help="Erase cases past their retention period by redaction."
        )
        erase.add_argument("references", nargs="+", help="the cases' references")
        erase.add_argument("--org", help="the organisation's slug")
        erase.add_argument(
            "--confirmed-by",
            required=True,
            help="the username of the supervisor (or admin) who confirmed the erasure",
        )
        erase.add_argument("--today", help="the day to judge by, YYYY-MM-DD (default: today)")
        sub.add_parser("schedule", help="Show the retention schedule.").add_argument(
            "--org", required=True, help="the organisation's slug"
        )
        policy = sub.add_parser("policy", help="Set the organisation's period for a regime.")
        policy.add_argument("--org", required=True, help="the organisation's slug")
        policy.add_argument(
            "--regime", default="", help="the regime's code (default: every regime without its own)"
        )
        policy.add_argument("--years", type=int, required=True, help="how many years")
        policy.add_argument(
            "--from", dest="counted_from", choices=["received", "closed"], default="closed",
            help="counted from the complaint's receipt or the case's closure (default)",
        )  # fmt: skip
        policy.add_argument("--reason", required=True, help="why (kept with the change)")
        policy.add_argument("--by", required=True, help="the username of the admin")
        for name, words in (("hold", "Place a legal hold."), ("lift", "Lift a legal hold.")):
            hold = sub.add_parser(name, help=words)
            hold.add_argument("reference", help="the case's reference")
            hold.add_argument("--org", help="the organisation's slug")
            hold.add_argument("--reason", required=True, help="why")
            hold.add_argument("--by", help="the username of the member of staff")
            hold.add_argument(
                "--customer",
                action="store_true",
                help="hold (or lift) the case's customer: every case of theirs",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except FieldErrors as exc:
            raise CommandError(
                "; ".join(f"{field}: {problem}" for field, problem in exc.errors.items())
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _run(self, options: dict[str, Any]) -> None:
        orgs = (
            [organisation_get(slug=options["org"])]
            if options["org"]
            else list(Organisation.objects.order_by("slug"))
        )
        for org in orgs:
            if options["today"]:
                try:
                    today = date.fromisoformat(options["today"])
                except ValueError:
                    raise CommandError("--today: write YYYY-MM-DD") from None
            else:
                today = timezone.now().astimezone(ZoneInfo(org.time_zone)).date()
            items = retention_due(organisation=org, today=today)
            held = sum(item.on_hold for item in items)
            self.stdout.write(
                f"{org.slug}: {len(items) - held} case(s) past their retention period, "
                f"{held} more on legal hold (as of {today})."
            )
            for item in items:
                mark = "HELD " if item.on_hold else ""
                self.stdout.write(
                    f"  {mark}{item.reference}: kept until {item.ends_on} "
                    f"({item.rule.title}; {item.rule.kind}: {item.rule.source})"
                )

    def _erase(self, options: dict[str, Any]) -> None:
        cases = [case_find(ref, options["org"]) for ref in options["references"]]
        failed = 0
        for case in cases:
            user = User.objects.filter(
                organisation=case.organisation, username=options["confirmed_by"]
            ).first()
            if user is None:
                raise CommandError(
                    f"No member of staff {options['confirmed_by']!r} in {case.organisation.slug}."
                )
            now = timezone.now()
            if options["today"]:
                try:
                    today = date.fromisoformat(options["today"])
                except ValueError:
                    raise CommandError("--today: write YYYY-MM-DD") from None
            else:
                today = now.astimezone(ZoneInfo(case.organisation.time_zone)).date()
            try:
                done = case_erase(case=case, confirmed_by=user, now=now, today=today, purge=False)
            except DomainError as exc:
                failed += 1
                self.stderr.write(f"REFUSED {exc.message}")
                continue
            self.stdout.write(
                f"{done.reference}: erased ({done.personal_values} personal value(s), "
                f"{done.files} file(s), {done.rows} row(s) redacted)."
            )
        erasure_purge()
        if failed:
            raise CommandError(f"{failed} of {len(cases)} case(s) not erased.")

    def _hold(self, options: dict[str, Any]) -> None:
        case = case_find(options["reference"], options["org"])
        if options["customer"]:
            count = customer_hold_place(
                customer=case.customer, reason=options["reason"],
                actor=actor_for(options["by"], case), now=timezone.now(),
            )  # fmt: skip
            self.stdout.write(f"Customer of {case.reference}: on legal hold ({count} case(s)).")
            return
        legal_hold_place(
            case=case, reason=options["reason"], actor=actor_for(options["by"], case),
            now=timezone.now(),
        )  # fmt: skip
        self.stdout.write(f"{case.reference}: on legal hold.")

    def _lift(self, options: dict[str, Any]) -> None:
        case = case_find(options["reference"], options["org"])
        if options["customer"]:
            count = customer_hold_lift(
                customer=case.customer, reason=options["reason"],
                actor=actor_for(options["by"], case), now=timezone.now(),
            )  # fmt: skip
            self.stdout.write(f"Customer of {case.reference}: legal hold lifted ({count} case(s)).")
            return
        legal_hold_lift(
            case=case, reason=options["reason"], actor=actor_for(options["by"], case),
            now=timezone.now(),
        )  # fmt: skip
        self.stdout.write(f"{case.reference}: legal hold lifted.")

    def _schedule(self, options: dict[str, Any]) -> None:
        org = organisation_get(slug=options["org"])
        for line in retention_schedule(organisation=org):
            counted = "receipt" if line.rule.counted_from == "received" else "closure"
            self.stdout.write(
                f"{line.regime or 'every other regime'}: {line.rule.years} years from "
                f"{counted} ({line.rule.kind}: {line.rule.source})"
            )

    def _policy(self, options: dict[str, Any]) -> None:
        org = organisation_get(slug=options["org"])
        admin = User.objects.filter(organisation=org, username=options["by"]).first()
        if admin is None:
            raise CommandError(f"No member of staff {options['by']!r} in {org.name}.")
        row = retention_policy_set(
            organisation=org,
            regime=options["regime"],
            years=options["years"],
            counted_from=options["counted_from"],
            reason=options["reason"],
            set_by=admin,
            now=timezone.now(),
        )
        self.stdout.write(f"{org.slug}: {row} (set by {admin.username}).")
