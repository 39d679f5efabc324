"""`plaint token create|list|revoke`: the organisation's API tokens from the command line.

    plaint token create --org acme --owner alice --name "Website form" --scopes write
    plaint token list --org acme
    plaint token revoke --org acme --by ada plt_ab12cd34
    plaint token purge-keys      (forget Idempotency-Keys older than 24 hours)

The secret is printed once, by `create`, and is never shown again. `--by` names the admin
doing it (the owner by default, who must then be an admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation, User
from plaint.accounts.selectors import organisation_get
from plaint.api import tokens
from plaint.api.idempotency import idempotency_purge
from plaint.domain.errors import DomainError, FieldErrors


def _member(org: Organisation, username: str) -> User:
    user = User.objects.filter(organisation=org, username=username).first()
    if user is None:
        raise CommandError(f"{org.slug} has no member of staff {username!r}.")
    return user


class Command(BaseCommand):
    help = "Create, list or revoke an organisation's API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token; its secret is printed once.")
        create.add_argument("--org", required=True, help="The organisation's slug.")
        create.add_argument("--owner", required=True, help="Username the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument(
            "--scopes", default="read", help="Comma-separated: read, write, letters, admin."
        )
        create.add_argument(
            "--expires", default=None, help="Expiry, ISO 8601 with its offset (none: never)."
        )
        create.add_argument("--by", default=None, help="The admin making it (the owner).")
        listing = sub.add_parser("list", help="List the tokens (never their secrets).")
        listing.add_argument("--org", required=True, help="The organisation's slug.")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix (plt_...).")
        revoke.add_argument("--org", required=True, help="The organisation's slug.")
        revoke.add_argument("--by", required=True, help="The admin revoking it.")
        revoke.add_argument("prefix", help="The token's visible prefix (plt_...).")
        sub.add_parser(
            "purge-keys", help="Forget the Idempotency-Keys older than 24 hours (all tokens)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "purge-keys":
            gone = idempotency_purge(now=timezone.now())
            self.stdout.write(f"Forgot {gone} idempotency key{'' if gone == 1 else 's'}.")
            return
        try:
            org = organisation_get(slug=options["org"])
        except LookupError:
            raise CommandError(f"No organisation {options['org']!r}.") from None
        now = timezone.now()
        try:
            if options["action"] == "create":
                self._create(org, now, options)
            elif options["action"] == "revoke":
                token = tokens.token_revoke(
                    organisation=org,
                    prefix=options["prefix"],
                    actor=_member(org, options["by"]),
                    now=now,
                )
                self.stdout.write(f"Revoked {token.prefix} ({token.name}).")
            else:
                for token in tokens.token_list(organisation=org):
                    expires = token.expires_at.isoformat() if token.expires_at else "never"
                    self.stdout.write(
                        f"{token.prefix:<14} {tokens.token_state(token, now=now):<8} "
                        f"{','.join(token.scopes):<24} expires {expires:<26} "
                        f"{token.owner.username}: {token.name}"
                    )
        except tokens.TokenNotFound:
            raise CommandError(f"{org.slug} has no token {options['prefix']!r}.") from None
        except FieldErrors as exc:
            raise CommandError(
                "; ".join(
                    f"--{field.replace('_', '-')} {problem}"
                    for field, problem in exc.errors.items()
                )
            ) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, org: Organisation, now: datetime, options: dict[str, Any]) -> None:
        owner = _member(org, options["owner"])
        actor = _member(org, options["by"]) if options["by"] else owner
        expires = None
        if options["expires"]:
            try:
                expires = datetime.fromisoformat(options["expires"])
            except ValueError:
                raise CommandError("--expires is not an ISO 8601 date and time.") from None
        made = tokens.token_create(
            organisation=org,
            owner=owner,
            name=options["name"],
            scopes=options["scopes"].split(","),
            actor=actor,
            now=now,
            expires_at=expires,
        )
        self.stdout.write(f"Created {made.token.prefix} ({', '.join(made.token.scopes)}).")
        self.stdout.write("Secret (shown once, keep it safe):")
        self.stdout.write(made.secret)
