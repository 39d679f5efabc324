"""`plaint portal link ORG REFERENCE --base-url URL`: issue a new private link to a case
and print it, for staff to give to a customer they have checked (on the phone, say). The
customer can also ask for one themselves at /complain/<org>/new-link/."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.domain.errors import DomainError
from plaint.portal.services import case_link_issue


class Command(BaseCommand):
    help = "The customer portal: issue a new private link to a case."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser("link", help="Issue a new private link to a case and print it.")
        link.add_argument("organisation", help="the organisation's slug")
        link.add_argument("reference", help="the case's reference, e.g. PL-2026-000123")
        link.add_argument(
            "--base-url",
            required=True,
            help="where the portal is served, e.g. https://complaints.example.org",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_url"].rstrip("/")
        if urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc:
            raise CommandError(f"--base-url {base!r} is not an http(s) address")
        try:
            organisation = organisation_get(slug=options["organisation"])
            case = case_get(organisation=organisation, reference=options["reference"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        except CaseNotFound:
            raise CommandError(
                f"{organisation.name} has no case {options['reference']!r}"
            ) from None
        issued = case_link_issue(case=case, now=timezone.now())
        path = reverse("portal:case", kwargs={"org": organisation.slug, "token": issued.token})
        self.stdout.write(f"{base}{path}")
        self.stderr.write(
            f"Works until {issued.expires_at:%Y-%m-%d %H:%M %Z} ({issued.days} days). "
            "Give it only to the customer; it is not kept and cannot be shown again."
        )
