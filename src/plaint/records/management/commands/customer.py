"""`plaint customer export --org SLUG (--case REF | --email ADDRESS)`: a subject access
export of everything held about one person."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accesslog.models import AccessAction, AccessVia
from plaint.accesslog.services import access_record
from plaint.accounts.selectors import organisation_get
from plaint.cases.ledger import Actor
from plaint.domain.errors import DomainError
from plaint.records.subject_access import subject_access_export


class Command(BaseCommand):
    help = "A person's data: export everything held about them (subject access)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a subject access ZIP.")
        export.add_argument("--org", required=True, help="the organisation's slug")
        export.add_argument("--case", default="", help="one of the person's cases")
        export.add_argument("--email", default="", help="the person's e-mail address")
        export.add_argument(
            "--requested-on", help="the day the request arrived, YYYY-MM-DD (default: today)"
        )
        export.add_argument("-o", "--output", help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_get(slug=options["org"])
            now = timezone.now()
            requested = (
                date.fromisoformat(options["requested_on"])
                if options["requested_on"]
                else now.astimezone(ZoneInfo(org.time_zone)).date()
            )
            export = subject_access_export(
                organisation=org,
                actor=Actor.system("Plaint command line"),
                now=now,
                requested_on=requested,
                reference=options["case"],
                email=options["email"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except ValueError:
            raise CommandError("--requested-on: write YYYY-MM-DD") from None
        path = Path(options["output"] or export.filename)
        path.write_bytes(export.data)
        access_record(
            organisation=org,
            user=None,
            actor_label=f"Plaint command line (as {getpass.getuser()})",
            via=AccessVia.CLI,
            action=AccessAction.SUBJECT_ACCESS_EXPORTED,
            now=now,
            case_reference=options["case"],
            detail={"cases": export.cases, "by": "case" if options["case"] else "e-mail"},
        )
        self.stdout.write(
            f"{path}: {export.cases} case(s); the answer is due by {export.due_on} "
            "(one month: unverified, see index.json)."
        )
