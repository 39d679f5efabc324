"""`plaint verify-pack FILE.zip`: check an evidence pack with Plaint's own verifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.domain.pack import pack_verify


class Command(BaseCommand):
    help = "Check an evidence pack: its files, its chain, its facts and its proof."
    requires_system_checks: list[str] = []  # no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the evidence pack (a ZIP made by plaint case export)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        report = pack_verify(path.read_bytes())
        for note in report.notes:
            self.stdout.write(f"NOTE {note}")
        for name, reason in report.problems:
            self.stderr.write(f"FAIL {name}: {reason}")
        if not report.ok:
            raise CommandError(f"Pack verification FAILED: {len(report.problems)} problem(s).")
        self.stdout.write(
            f"Pack verified: {report.files} files, {report.events} events; every hash, the "
            "chain and the proof hold."
        )
