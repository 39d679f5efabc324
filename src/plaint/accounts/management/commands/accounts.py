"""`plaint accounts unlock USERNAME`: open an account locked after failed sign-ins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.signins import signin_unlock
from plaint.domain.errors import FieldErrors


class Command(BaseCommand):
    help = (
        "Unlock an account that failed sign-ins locked, so it can sign in again at once. "
        "The member's trail records the unlock."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        unlock = sub.add_parser(
            "unlock", help="Forget an account's failed sign-ins (from every address)."
        )
        unlock.add_argument("username", help="The login name, e.g. alice.")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        try:
            cleared = signin_unlock(username=username, actor=None, now=timezone.now())
        except FieldErrors as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        if cleared:
            self.stdout.write(f"Unlocked {username}: {cleared} failure counter(s) cleared.")
        else:
            self.stdout.write(f"{username} was not locked: nothing to clear.")
