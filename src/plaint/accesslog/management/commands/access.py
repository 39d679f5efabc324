"""`plaint access list --org SLUG [--user USERNAME] [--case REF] [--action ACTION]
[--since DAY] [--until DAY] [--limit N] [--csv]`: read the access log (who viewed a case,
downloaded its files or exported data), newest first."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.accesslog.models import AccessAction
from plaint.accesslog.selectors import CSV_HEADERS, AccessFilters, access_list, access_rows
from plaint.accounts.models import User
from plaint.accounts.selectors import organisation_get
from plaint.domain.errors import DomainError


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: write the day as YYYY-MM-DD (got {text!r})") from None


class Command(BaseCommand):
    help = "The access log: who read which case or exported what, newest first."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("list", help="List access records.")
        show.add_argument("--org", required=True, help="the organisation's slug")
        show.add_argument("--user", help="only this member of staff (username)")
        show.add_argument("--case", default="", help="only reads of this case")
        show.add_argument(
            "--what", default="", choices=["", *AccessAction.values], help="only this action"
        )
        show.add_argument("--since", help="from this day (YYYY-MM-DD, the organisation's time)")
        show.add_argument("--until", help="to this day, included")
        show.add_argument("--limit", type=int, default=100, help="at most this many (0: all)")
        show.add_argument("--csv", action="store_true", help="write CSV to standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = organisation_get(slug=options["org"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        zone = ZoneInfo(org.time_zone)
        user_id = None
        if options["user"]:
            user = User.objects.filter(organisation=org, username=options["user"]).first()
            if user is None:
                raise CommandError(f"No member of staff {options['user']!r} in {org.name}.")
            user_id = user.pk
        since, until = _day(options["since"], "--since"), _day(options["until"], "--until")
        records = access_list(
            organisation=org,
            filters=AccessFilters(
                user_id=user_id,
                case_reference=options["case"],
                action=options["what"],
                since=datetime.combine(since, time(), zone) if since else None,
                until=datetime.combine(until + timedelta(days=1), time(), zone) if until else None,
            ),
        )
        if options["limit"]:
            records = records[: options["limit"]]
        if options["csv"]:
            writer = csv.writer(self.stdout)
            writer.writerow(CSV_HEADERS)
            for row in access_rows(records):
                writer.writerow(row)
            return
        count = 0
        for row in access_rows(records):
            at, label, username, via, action, case, detail, address = row
            line = f"{at}  {label} ({username or '-'}) via {via}: {action} {case} {detail}"
            self.stdout.write(line.rstrip() + (f"  from {address}" if address else ""))
            count += 1
        if not count:
            self.stdout.write("Nothing recorded matches.")
