"""`plaint backup [--output FILE]`: write the database, every file store and the kept
secret key into one archive with a manifest of hashes; `plaint backup --check FILE`
checks an archive against its manifest without restoring it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.domain.backup import BackupError
from plaint.records.backup import archive_check, backup_write


class Command(BaseCommand):
    help = "Back up the database, files and checkpoints into one archive (or --check one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            "-o",
            metavar="FILE",
            help="where to write the archive (default: plaint-backup-TIME.tar.gz here)",
        )
        parser.add_argument(
            "--check", metavar="FILE", help="check an archive against its manifest; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            if options["output"]:
                raise CommandError("--check and --output go separately.")
            self._check(Path(options["check"]))
            return
        now = timezone.now()
        output = Path(options["output"] or f"plaint-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz")
        try:
            summary = backup_write(output=output, created_at=now)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = summary.manifest
        cases = sum(int(str(v["cases"])) for v in manifest.ledger.values())
        self.stdout.write(
            f"Backup written to {summary.path} ({summary.bytes:,} bytes): the {manifest.engine} "
            f"database, {len(manifest.entries) - 1} other member(s), {cases} case(s) in "
            f"{len(manifest.ledger)} organisation(s), {len(manifest.checkpoints)} latest "
            f"checkpoint(s); secret key: {_secret(manifest.key_source)}."
        )

    def _check(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"No archive {path}.")
        check = archive_check(path)
        for problem in check.problems:
            self.stderr.write(f"BAD {problem}")
        if not check.ok or check.manifest is None:
            raise CommandError(f"{path} FAILED its check: {len(check.problems)} problem(s).")
        manifest = check.manifest
        self.stdout.write(
            f"{path}: every one of {len(manifest.entries)} member(s) has the SHA-256 and size "
            f"its manifest gives ({manifest.format}, Plaint {manifest.plaint_version}, "
            f"{manifest.engine}, made {manifest.created_at})."
        )


def _secret(where: str) -> str:
    return {
        "archive": "in the archive (keep the archive as safe as the installation)",
        "environment": "from PLAINT_SECRET_KEY, not in the archive (back it up separately)",
        "absent": "none kept in the data folder",
    }[where]
