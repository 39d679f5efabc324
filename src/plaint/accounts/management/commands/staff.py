"""`plaint staff add USERNAME --org SLUG --role ROLE`: add a member of staff."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.roles import Role
from plaint.accounts.selectors import organisation_get
from plaint.accounts.services import staff_create
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = (
        "Add a member of staff to an organisation. The password is asked for, or read "
        "from PLAINT_NEW_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a member of staff with one or more roles.")
        add.add_argument("username", help="The login name, e.g. alice.")
        add.add_argument("--org", required=True, help="Slug of the organisation.")
        add.add_argument(
            "--role",
            action="append",
            choices=[r.value for r in Role],
            required=True,
            help="Repeat for several roles.",
        )
        add.add_argument("--first-name", default="", help="First name, as shown on the desk.")
        add.add_argument("--last-name", default="", help="Last name, as shown on the desk.")
        add.add_argument(
            "--email", default="", help="Where reminders and missed-deadline notices go."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("PLAINT_NEW_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = staff_create(
                organisation=organisation_get(slug=options["org"]),
                username=options["username"],
                password=password,
                roles=[Role(r) for r in options["role"]],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                now=timezone.now(),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Added {user.username} to {options['org']} as {', '.join(options['role'])}."
        )
