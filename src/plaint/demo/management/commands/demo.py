"""`plaint demo`: load the demo organisation (once) and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils import timezone

from plaint.demo.loading import DEMO_PASSWORD, DEMO_STAFF, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo organisation (once) and print where to sign in. Its cases are real "
        "CFPB complaints dated relative to today, triaged and spread over the desk's "
        "queues; it prints the desk and portal addresses, the slug and the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--address",
            default="http://127.0.0.1:8000",
            help="Where the server will listen, for the addresses printed "
            "(default: http://127.0.0.1:8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(now=timezone.now())
        if result.created:
            self.stdout.write(f"Demo organisation loaded: {result.imported}.")
            if result.derived is not None:
                self.stdout.write(f"Deadlines and triage: {result.derived}.")
        else:
            self.stdout.write("Demo organisation already loaded.")
        address = str(options["address"]).rstrip("/")
        slug = result.organisation.slug
        portal = reverse("portal:complaint_form", kwargs={"org": slug})
        self.stdout.write(f"Organisation: {result.organisation.name} (slug: {slug})")
        self.stdout.write(f"Customer portal: {address}{portal}")
        self.stdout.write(f"Desk: sign in at {address}/ with any of these demo logins:")
        for username, first, last, role in DEMO_STAFF:
            self.stdout.write(
                f"  {username:<11} / {DEMO_PASSWORD}   ({first} {last}, {role.value})"
            )
