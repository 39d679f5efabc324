"""`plaint accounts unlock USERNAME`: open an account locked after failed sign-ins.
`plaint accounts two-factor require ORG on|off`: require two-factor for all of an
organisation's staff, or stop; `plaint accounts two-factor reset USERNAME`: remove a
member's authenticator and recovery codes (a lost phone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts import twofactor
from plaint.accounts.models import User
from plaint.accounts.selectors import organisation_get
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
        two = sub.add_parser("two-factor", help="Two-factor sign-in: the policy, a reset.")
        two_sub = two.add_subparsers(dest="two_factor_action", required=True)
        require = two_sub.add_parser(
            "require", help="Require two-factor for all of an organisation's staff (on/off)."
        )
        require.add_argument("org", help="The organisation's slug.")
        require.add_argument(
            "state", choices=["on", "off"], help="on: every member of staff must use two-factor"
        )
        reset = two_sub.add_parser(
            "reset", help="Remove a member's authenticator and recovery codes."
        )
        reset.add_argument("username", help="The login name, e.g. alice.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "two-factor":
                self._two_factor(options)
                return
        except FieldErrors as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        username = options["username"]
        try:
            cleared = signin_unlock(username=username, actor=None, now=timezone.now())
        except FieldErrors as exc:
            raise CommandError("; ".join(exc.errors.values())) from None
        if cleared:
            self.stdout.write(f"Unlocked {username}: {cleared} failure counter(s) cleared.")
        else:
            self.stdout.write(f"{username} was not locked: nothing to clear.")

    def _two_factor(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        if options["two_factor_action"] == "require":
            org = organisation_get(slug=options["org"])
            required = options["state"] == "on"
            changed = twofactor.two_factor_policy_set(
                organisation=org, required=required, actor=None, now=now
            )
            state = "required" if required else "not required"
            if changed:
                self.stdout.write(f"Two-factor is now {state} for all staff of {org.slug}.")
            else:
                self.stdout.write(f"Two-factor was already {state} for {org.slug}: unchanged.")
            return
        username = options["username"]
        user = User.objects.filter(username=username).select_related("organisation").first()
        if user is None or user.organisation is None:
            raise FieldErrors({"username": f"there is no member of staff {username!r}"})
        had = twofactor.two_factor_reset(
            organisation=user.organisation, user=user, actor=None, now=now
        )
        if had:
            self.stdout.write(f"Reset two-factor for {username}: authenticator removed.")
        else:
            self.stdout.write(f"{username} had no two-factor set up: recorded, nothing removed.")
