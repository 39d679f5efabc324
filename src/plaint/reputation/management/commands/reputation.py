"""`plaint reputation import ORG FILE [--source trustpilot]`: import reviews (CSV or JSON);
`plaint reputation watch [--now ISO]`: raise alerts for drops, for every organisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.accounts.selectors import organisation_get
from plaint.deadlines.management.commands._clock import add_now_argument, pinned_now
from plaint.domain.errors import DomainError, FieldErrors
from plaint.reputation import services


class Command(BaseCommand):
    help = "Reputation watch: import public reviews; raise alerts for drops."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV or JSON file of reviews.")
        imp.add_argument("organisation", help="The organisation's slug.")
        imp.add_argument("file", help="The reviews, as CSV or JSON.")
        imp.add_argument("--source", default="trustpilot", help="Where the reviews come from.")
        add_now_argument(imp)
        watch = sub.add_parser("watch", help="Alert supervisors to drops.")
        add_now_argument(watch)

    def handle(self, *args: Any, **options: Any) -> None:
        now = pinned_now(options["now"]) or timezone.now()
        if options["action"] == "watch":
            total = 0
            for org in Organisation.objects.order_by("pk"):
                total += len(services.reputation_watch(organisation=org, now=now))
            self.stdout.write(f"Reputation watch: {total} alert(s) raised.")
            return
        path = Path(options["file"])
        try:
            org = organisation_get(slug=options["organisation"])
            report = services.reviews_import(
                organisation=org,
                data=path.read_bytes(),
                filename=path.name,
                source=options["source"],
                now=now,
            )
        except FieldErrors as exc:
            raise CommandError("; ".join(f"{k}: {v}" for k, v in exc.errors.items())) from None
        except (DomainError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Imported {report.created} review(s); {report.already} already there; "
            f"{report.linked} linked to a case; {len(report.errors)} row(s) not imported."
        )
        if report.no_author:
            self.stdout.write(report.no_author_sentence)
        for problem in report.errors:
            self.stdout.write(f"  {problem}")
