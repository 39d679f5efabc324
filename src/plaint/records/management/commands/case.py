"""`plaint case correct REF --set FIELD=VALUE ... --reason TEXT` and
`plaint case export REF [-o FILE]`: corrections and evidence packs from the command line,
through the same services as the desk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.fold import CORRECTABLE_CASE_FIELDS, CORRECTABLE_CUSTOMER_FIELDS
from plaint.records.corrections import case_correct, customer_correct


def case_find(reference: str, org: str | None) -> Case:
    """The case with this reference (in the organisation with slug `org`, if given)."""
    cases = Case.objects.select_related("organisation").filter(reference=reference)
    if org:
        cases = cases.filter(organisation__slug=org)
    found = list(cases[:2])
    if not found:
        raise CommandError(f"No case {reference!r}{f' in {org}' if org else ''}.")
    if len(found) > 1:
        raise CommandError(f"{reference} exists in several organisations: name one with --org.")
    return found[0]


def actor_for(username: str | None, case: Case) -> Actor:
    if not username:
        return Actor.system("Plaint command line")
    user = User.objects.filter(organisation=case.organisation, username=username).first()
    if user is None:
        raise CommandError(f"No member of staff {username!r} in {case.organisation.slug}.")
    return Actor.staff(user)


class Command(BaseCommand):
    help = "One case's record: correct its facts, export its evidence pack."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        correct = sub.add_parser("correct", help="Correct case or customer facts.")
        correct.add_argument("reference", help="the case's reference")
        correct.add_argument("--org", help="the organisation's slug")
        correct.add_argument(
            "--set",
            action="append",
            required=True,
            metavar="FIELD=VALUE",
            help=f"case fields: {', '.join(CORRECTABLE_CASE_FIELDS)}; customer fields (as "
            f"customer.FIELD): {', '.join(CORRECTABLE_CUSTOMER_FIELDS)}",
        )
        correct.add_argument("--reason", required=True, help="why the value was wrong")
        correct.add_argument("--by", help="the username of the member of staff correcting")
        self._export_arguments(sub)

    def _export_arguments(self, sub: Any) -> None:
        export = sub.add_parser("export", help="Write the case's evidence pack (a ZIP).")
        export.add_argument("reference", help="the case's reference")
        export.add_argument("--org", help="the organisation's slug")
        export.add_argument("-o", "--output", help="the file to write (default: REF.zip)")
        export.add_argument(
            "--length",
            type=int,
            help="export the ledger as it stood after this many events (reproduces an "
            "earlier pack)",
        )
        export.add_argument(
            "--customer", action="store_true", help="the customer's pack: visible events only"
        )
        export.add_argument("--by", help="the username of the member of staff exporting")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except FieldErrors as exc:
            raise CommandError(
                "; ".join(f"{field}: {problem}" for field, problem in exc.errors.items())
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _correct(self, options: dict[str, Any]) -> None:
        case = case_find(options["reference"], options["org"])
        actor = actor_for(options["by"], case)
        case_changes: dict[str, Any] = {}
        customer_changes: dict[str, str] = {}
        for item in options["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set {item!r}: write FIELD=VALUE")
            if name.startswith("customer."):
                customer_changes[name.removeprefix("customer.")] = value
            elif name == "received_at":
                try:
                    case_changes[name] = datetime.fromisoformat(value)
                except ValueError:
                    raise CommandError(
                        "received_at: write a date and time with its offset, "
                        "e.g. 2026-03-01T09:00+00:00"
                    ) from None
            else:
                case_changes[name] = value
        now = timezone.now()
        if case_changes:
            case = case_correct(
                case=case, changes=case_changes, reason=options["reason"], actor=actor, now=now
            )
            self.stdout.write(f"{case.reference}: corrected {', '.join(case_changes)}.")
        if customer_changes:
            customer_correct(
                case=case,
                changes=customer_changes,
                reason=options["reason"],
                actor=actor,
                now=now,
            )
            self.stdout.write(
                f"{case.reference}: corrected the customer's {', '.join(customer_changes)}."
            )

    def _export(self, options: dict[str, Any]) -> None:
        from plaint.records.packs import case_pack_export

        case = case_find(options["reference"], options["org"])
        pack = case_pack_export(
            case=case,
            actor=actor_for(options["by"], case),
            now=timezone.now(),
            length=options["length"],
            audience="customer" if options["customer"] else "staff",
        )
        path = Path(options["output"] or pack.filename)
        path.write_bytes(pack.data)
        self.stdout.write(
            f"{path}: evidence pack of {case.reference}, {pack.files} files, "
            f"{len(pack.data):,} bytes, events 1 to {pack.ledger_length}."
        )
