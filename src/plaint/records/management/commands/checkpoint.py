"""`plaint checkpoint [--org SLUG]`: sign a checkpoint of every case's chain head."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.accounts.selectors import organisation_get
from plaint.domain.errors import DomainError
from plaint.records.anchoring import checkpoint_path, checkpoint_write
from plaint.records.models import Checkpoint


class Command(BaseCommand):
    help = "Sign a checkpoint of every case's chain head and append it to the checkpoint file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="one organisation (its slug); default: every one")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            orgs = (
                [organisation_get(slug=options["org"])]
                if options["org"]
                else list(Organisation.objects.order_by("slug"))
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for org in orgs:
            started = time.perf_counter()
            checkpoint = checkpoint_write(organisation=org, now=timezone.now())
            self.stdout.write(
                f"{org.slug}: checkpoint of {checkpoint.tree_size} anchored head(s), root "
                f"{checkpoint.root[:16]}..., appended to {checkpoint_path(org)} "
                f"({time.perf_counter() - started:.2f} s)."
            )
            row = Checkpoint.objects.filter(organisation=org).order_by("-id").first()
            if row is not None and row.timestamp:
                self.stdout.write(f"{org.slug}: time-stamped by {settings.RECORDS_TSA_URL}.")
            elif row is not None and row.timestamp_problem:
                self.stderr.write(f"{org.slug}: NOT time-stamped: {row.timestamp_problem}")
