"""`plaint reports --org SLUG [--from DATE --to DATE] [--table NAME]` and
`plaint reports fca-return --org SLUG (--year Y --half H | --from DATE --to DATE)`.

Writes CSV to standard output, computed from the database like the reports page.
"""

from __future__ import annotations

import csv
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.domain.errors import DomainError
from plaint.domain.returns import fca
from plaint.domain.returns.periods import half_year, period_make
from plaint.reports.selectors import fca_return_build, report_build, report_filters_parse
from plaint.reports.tables import report_tables


class Command(BaseCommand):
    help = "Report tables and the FCA complaints return as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "what",
            nargs="?",
            default="tables",
            choices=("tables", "fca-return"),
            help="the report's tables as CSV (default), or the FCA complaints return",
        )
        parser.add_argument("--org", required=True, help="the organisation's slug")
        parser.add_argument("--from", dest="first", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD")
        parser.add_argument("--table", help="one table of the report (default: all)")
        parser.add_argument("--year", type=int, help="with fca-return: the year of the period")
        parser.add_argument(
            "--half", type=int, choices=(1, 2), help="with fca-return: the half-year, 1 or 2"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organisation.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organisation {options['org']!r}.")
        try:
            if options["what"] == "fca-return":
                self._return(org, options)
            else:
                self._tables(org, options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _tables(self, org: Organisation, options: dict[str, Any]) -> None:
        query = {k: v for k, v in (("from", options["first"]), ("to", options["last"])) if v}
        now = timezone.now()
        today = now.astimezone(ZoneInfo(org.time_zone)).date()
        filters = report_filters_parse(organisation=org, query=query, today=today)
        tables = report_tables(report_build(organisation=org, filters=filters, now=now))
        if options["table"]:
            tables = [t for t in tables if t.name == options["table"]]
            if not tables:
                raise CommandError(f"No table {options['table']!r}.")
        out = csv.writer(self.stdout)
        for table in tables:
            out.writerow([table.title])
            out.writerow(table.headers)
            out.writerows(cells for cells, _ in table.rows)
            out.writerow([])

    def _return(self, org: Organisation, options: dict[str, Any]) -> None:
        if options["year"] and options["half"]:
            period = half_year(options["year"], options["half"])
        elif options["first"] and options["last"]:
            try:
                first, last = (
                    date.fromisoformat(options["first"]),
                    date.fromisoformat(options["last"]),
                )
            except ValueError:
                raise CommandError("Write dates as YYYY-MM-DD.") from None
            period = period_make(first, last)
        else:
            raise CommandError("Give --year and --half, or --from and --to.")
        ret = fca_return_build(organisation=org, period=period)
        out = csv.writer(self.stdout)
        out.writerow(["Product group", *(title for _, title in fca.FIGURES), "Redress paid"])
        for row in ret.rows:
            money = "; ".join(f"{c} {a:.2f}" for c, a in sorted(row.redress_paid.items()))
            out.writerow([row.label, *(row.count(k) for k, _ in fca.FIGURES), money])
        for warning in ret.warnings:
            self.stderr.write(warning)
