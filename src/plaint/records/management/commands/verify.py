"""`plaint verify [--case REF] [--org SLUG] [--files] [--against CHECKPOINT]`: recompute
the ledger hash chains, check that the case and customer rows equal the fold of their
events, with `--files` that every stored file still has its hash and no file is an orphan,
and with `--against` that the chains still hold the heads a checkpoint file signed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.accounts.selectors import organisation_get
from plaint.cases.ledger import ledger_verify
from plaint.domain.errors import DomainError
from plaint.records.anchoring import checkpoints_verify
from plaint.records.integrity import files_verify, rows_verify


class Command(BaseCommand):
    help = "Check the ledger's hash chains, that rows equal their events, and stored files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--case", dest="reference", help="Check one case (its reference).")
        parser.add_argument("--org", help="Check one organisation (its slug).")
        parser.add_argument(
            "--workers", type=int, default=None, help="Processes to use (default: one per CPU)."
        )
        parser.add_argument(
            "--files",
            action="store_true",
            help="Also hash every stored evidence and letter file and list orphans.",
        )
        parser.add_argument(
            "--against",
            metavar="CHECKPOINT",
            help="a checkpoint file (or a copy): check the chains against its signed heads",
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
        failures: list[str] = []
        if not report.ok:
            failures.append(f"{len(report.broken)} broken chain(s)")
        else:
            self.stdout.write(f"Ledger verified: {summary}; every chain is intact.")
        started = time.perf_counter()
        rows = rows_verify(organisation=org, reference=options["reference"])
        for mismatch in rows.mismatches:
            self.stderr.write(f"ROW {mismatch}")
        if rows.ok:
            self.stdout.write(
                f"Rows verified: {rows.cases} case(s) and {rows.customers} customer(s) "
                f"equal the fold of their events ({time.perf_counter() - started:.2f} s)."
            )
        else:
            failures.append(f"{len(rows.mismatches)} row value(s) differ from the ledger")
        if options["files"]:
            files = files_verify()
            for problem in files.problems:
                self.stderr.write(f"FILE {problem}")
            if files.ok:
                self.stdout.write(
                    f"Files verified: {files.files} file(s), {files.bytes:,} bytes, each has "
                    "its hash; no orphans."
                )
            else:
                failures.append(f"{len(files.problems)} file problem(s)")
        if options["against"]:
            failures += self._against(options["against"])
        if failures:
            raise CommandError(f"Ledger verification FAILED: {'; '.join(failures)}; {summary}.")

    def _against(self, name: str) -> list[str]:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"No checkpoint file {path}.")
        anchors = checkpoints_verify(path.read_text(encoding="utf-8").splitlines())
        for problem in anchors.problems:
            self.stderr.write(f"ANCHOR {problem}")
        if anchors.ok:
            self.stdout.write(
                f"Anchors verified: {anchors.checkpoints} checkpoint(s), each signed and "
                f"consistent with the one before; {anchors.leaves} anchored head(s) still hold."
            )
            if anchors.timestamps:
                checked = anchors.timestamps - anchors.timestamps_unchecked
                self.stdout.write(
                    f"Time-stamps: {checked} of {anchors.timestamps} checked against the "
                    "trusted authority's certificate"
                    + ("" if not anchors.timestamps_unchecked else " (set PLAINT_TSA_CERT)")
                    + "."
                )
            return []
        return [f"{len(anchors.problems)} checkpoint problem(s)"]
