"""`plaint import cfpb FILE --org SLUG`: import complaints from a CFPB-format CSV file, and
derive the new cases' deadlines and triage in bulk (`plaint.intake.bulk`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.cases.importing import ImportSummary
from plaint.domain.errors import DomainError
from plaint.intake.bulk import complaints_import

MAX_LISTED = 50


class Command(BaseCommand):
    help = (
        "Import complaints from a file and derive their deadlines and triage. Formats: cfpb "
        "(the US CFPB Consumer Complaint Database CSV). Safe to re-run: complaints already "
        "imported are skipped. Deadlines already missed, and reminders already due, when a "
        "complaint is imported are recorded once as history: nobody is e-mailed and no case "
        "is escalated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "format", choices=["cfpb"], help="The file's format: cfpb (CFPB complaints CSV)."
        )
        parser.add_argument("file", type=Path, help="The file to import.")
        parser.add_argument("--org", required=True, help="Slug of the organisation.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=2000,
            help="Complaints written per transaction (2000); a crash loses at most one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")

        def progress(summary: ImportSummary) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  ... {summary}")

        try:
            org = organisation_get(slug=options["org"])
            summary, derived = complaints_import(
                organisation=org,
                source=path,
                now=timezone.now(),
                batch_size=options["batch_size"],
                progress=progress,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for problem in summary.malformed[:MAX_LISTED]:
            self.stderr.write(f"skipped {path.name}:{problem}")
        if len(summary.malformed) > MAX_LISTED:
            self.stderr.write(f"... and {len(summary.malformed) - MAX_LISTED} more malformed rows")
        self.stdout.write(f"{path.name}: {summary}.")
        self.stdout.write(f"Deadlines and triage: {derived}.")
