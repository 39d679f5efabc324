"""`plaint verify [--case REF] [--org SLUG]`: recompute the ledger hash chains."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.accounts.selectors import organisation_get
from plaint.cases.ledger import ledger_verify
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = "Recompute every case's ledger hash chain and report the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", dest="reference", help="Check one case (its reference).")
        parser.add_argument("--org", help="Check one organisation (its slug).")
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes to use (default: one per CPU)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_get(slug=options["org"]) if options["org"] else None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        started = time.perf_counter()
        report = ledger_verify(
            organisation=org, reference=options["reference"], workers=options["workers"]
        )
        elapsed = time.perf_counter() - started
        if options["reference"] and report.cases == 0:
            raise CommandError(f"No case {options['reference']!r}.")
        for link in report.broken:
            self.stderr.write(f"BROKEN {link}")
        summary = f"{report.cases} case(s), {report.events} event(s) checked in {elapsed:.2f} s"
        if not report.ok:
            raise CommandError(
                f"Ledger verification FAILED: {len(report.broken)} broken chain(s); {summary}."
            )
        self.stdout.write(f"Ledger verified: {summary}; every chain is intact.")
