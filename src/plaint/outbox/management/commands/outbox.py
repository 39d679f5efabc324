"""`plaint outbox [deliver|list] [--now ISO-DATETIME]`: deliver what is due now, or list
the deliveries that need a person (unknown, bounced, failed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.outbox.models import Delivery
from plaint.outbox.services import deliveries_run


class Command(BaseCommand):
    help = "Deliver the outbox's due messages now, or list those that need a person."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["deliver", "list"],
            nargs="?",
            default="deliver",
            help="deliver what is due (the default), or list what needs a person.",
        )
        parser.add_argument(
            "--now", metavar="ISO-DATETIME", help="Run as if it were this instant (with offset)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            status = Delivery.Status
            for row in Delivery.objects.filter(
                status__in=[status.UNKNOWN, status.BOUNCED, status.FAILED]
            ):
                self.stdout.write(
                    f"#{row.pk} {row.transport} {row.status} to {', '.join(row.recipients)}: "
                    f"{row.last_error}"
                )
            return
        now = _pinned(options["now"]) or timezone.now()
        self.stdout.write(str(deliveries_run(now=now)))


def _pinned(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO 8601 date and time.") from None
    if moment.tzinfo is None:
        raise CommandError(f"--now {value!r} has no UTC offset; add one.")
    return moment
