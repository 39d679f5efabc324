"""`plaint search [--org SLUG] QUERY` and `plaint search --rebuild [--org SLUG]`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.accounts.selectors import organisation_get
from plaint.cases.search import search_rebuild
from plaint.cases.selectors import CaseFilters, case_list
from plaint.domain.errors import DomainError


class Command(BaseCommand):
    help = "Search an organisation's cases by words, or rebuild the full-text index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", nargs="?", default="", help="Words to look for.")
        parser.add_argument("--org", help="The organisation (its slug).")
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recreate the index from the cases and their ledgers (all organisations "
            "unless --org is given).",
        )
        parser.add_argument("--limit", type=int, default=20, help="Cases to list (default 20).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_get(slug=options["org"]) if options["org"] else None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if options["rebuild"]:
            started = time.perf_counter()
            written = search_rebuild(organisation=org)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{written} search entries written in {elapsed:.1f} s")
            return
        if org is None or not options["query"].strip():
            raise CommandError("Give --org SLUG and the words to look for (or --rebuild).")
        cases = case_list(organisation=org, filters=CaseFilters(q=options["query"]), stale_ok=True)
        for case in cases[: options["limit"]]:
            self.stdout.write(f"{case.reference}  {case.received_at:%Y-%m-%d}  {case.product}")
