"""`plaint demo`: load the demo organisation (once) and print how to sign in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from plaint.demo.loading import DEMO_PASSWORD, DEMO_STAFF, demo_load


class Command(BaseCommand):
    help = "Load the demo organisation with real CFPB complaints and demo staff logins."

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(now=timezone.now())
        if result.created:
            self.stdout.write(f"Demo organisation loaded: {result.imported}.")
        else:
            self.stdout.write("Demo organisation already loaded.")
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with any of these demo logins:")
        for username, first, last, role in DEMO_STAFF:
            self.stdout.write(
                f"  {username:<11} / {DEMO_PASSWORD}   ({first} {last}, {role.value})"
            )
