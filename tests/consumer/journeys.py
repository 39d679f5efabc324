"""What the consumer journeys type, taken from the example case files (so each letter can
be checked against the file it was written from)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from plaint.domain.letters.casefile import CaseFile, casefile_parse

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: The first journey's days (UTC; Dana is in New York, so 15:00 is 10:00 there).
DAY_ONE = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
AFTER_COMPLAINT = datetime(2026, 3, 17, 15, 0, tzinfo=UTC)  # the 14 days have passed
AFTER_ESCALATION = datetime(2026, 3, 25, 15, 0, tzinfo=UTC)  # the 7 days have passed


def example(name: str) -> CaseFile:
    return casefile_parse((EXAMPLES / name).read_text(), name)


def typed(value: Any) -> str:
    """An answer as a person types it into the interview."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(map(str, value))
    return "" if value is None else str(value)


#: Dana's three calls (the first journey logs three calls before the complaint).
DANA_CALLS = [
    {
        "at": "2026-02-10T14:05",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Sam",
        "ticket_number": "T-88412",
        "wait_minutes": "35",
        "summary": "Agreed the charge was a duplicate; promised a credit within 48 hours.",
    },
    {
        "at": "2026-02-16T11:00",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Priya",
        "ticket_number": "T-88412",
        "wait_minutes": "18",
        "summary": "Said the credit was being processed.",
    },
    {
        "at": "2026-02-24T17:20",
        "channel": "chat",
        "direction": "inbound",
        "representative": "Alex",
        "ticket_number": "T-90107",
        "wait_minutes": "22",
        "summary": "Told the issue would be escalated; no reply since.",
    },
]
