"""`plaint restore FILE`: restore a `plaint backup` archive into an empty installation,
after checking every member's hash, then verify the restored ledger, rows and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.domain.backup import BackupError
from plaint.records.backup import restore


class Command(BaseCommand):
    help = "Restore a checked backup archive into an empty installation, then verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", metavar="FILE", help="an archive made by plaint backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(archive=Path(options["archive"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = summary.manifest
        self.stdout.write(
            f"Restored {options['archive']} (made {manifest.created_at} by Plaint "
            f"{manifest.plaint_version}): the {manifest.engine} database and "
            f"{summary.files} file(s); every member matched its manifest."
        )
        for note in summary.notes:
            self.stdout.write(f"Note: {note}.")
        if summary.ledger_mismatches:
            raise CommandError(
                "The restored ledger differs from the one the manifest describes for "
                + ", ".join(summary.ledger_mismatches)
            )
        self.stdout.write(
            f"Ledger heads equal the manifest's for {len(manifest.ledger)} organisation(s)."
        )
        call_command("verify", files=True, workers=1, stdout=self.stdout, stderr=self.stderr)
