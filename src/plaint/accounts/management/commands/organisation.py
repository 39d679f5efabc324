"""`plaint organisation create SLUG NAME` and `plaint organisation list`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.accounts.services import organisation_create
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = "Create or list organisations (each is a separate, isolated complaints desk)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create an organisation.")
        create.add_argument("slug", help="Short name used on the command line, e.g. acme.")
        create.add_argument("name", help="Full name, e.g. 'Acme Energy Ltd'.")
        create.add_argument("--prefix", default="PL", help="Case reference prefix (PL).")
        create.add_argument(
            "--time-zone",
            default="Europe/London",
            help="IANA time zone deadlines are counted in (Europe/London).",
        )
        create.add_argument("--country", default="GB", help="ISO 3166 code, e.g. GB, US.")
        create.add_argument(
            "--holiday-calendar",
            default=None,
            help="Public holidays for business days: COUNTRY or COUNTRY-SUBDIVISION "
            "(GB-ENG, GB-SCT, GB-WLS, GB-NIR, US, US-CA...). Default: the country's own "
            "(GB-ENG for GB).",
        )
        sub.add_parser("list", help="List organisations.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for org in Organisation.objects.order_by("slug"):
                self.stdout.write(
                    f"{org.slug:<20} {org.name} ({org.country}, {org.holiday_calendar} "
                    f"holidays, {org.time_zone})"
                )
            return
        try:
            org = organisation_create(
                slug=options["slug"],
                name=options["name"],
                now=timezone.now(),
                reference_prefix=options["prefix"],
                time_zone=options["time_zone"],
                country=options["country"],
                holiday_calendar=options["holiday_calendar"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created organisation {org.slug}: {org.name} ({org.holiday_calendar} holiday "
            "calendar; --holiday-calendar chooses another, e.g. GB-SCT)."
        )
