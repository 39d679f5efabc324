"""`--now ISO-DATETIME`: the pinned clock of `plaint tick` and `plaint worker`.

For replays and tests: the deadline watch runs as if it were that instant. The value must
say its offset from UTC (`2026-03-04T10:30:00+00:00`, or `...Z`); a time without one is
refused, because the same wall-clock time is a different instant in each time zone.
Without `--now` the commands read the real clock.
"""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone


def add_now_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--now",
        metavar="ISO-DATETIME",
        help=(
            "Run as if it were this instant, e.g. 2026-03-04T10:30:00+00:00 (for replays "
            "and tests; it must include its UTC offset). Default: the real clock."
        ),
    )


def pinned_now(value: str | None) -> datetime | None:
    """The instant `--now` names, or None when it was not given."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--now {value!r} is not a date and time; write it as ISO 8601 with its UTC "
            "offset, e.g. 2026-03-04T10:30:00+00:00."
        ) from None
    if timezone.is_naive(parsed):
        raise CommandError(
            f"--now {value!r} has no UTC offset; add one, e.g. {parsed.isoformat()}+00:00."
        )
    return parsed
