"""The case's dates as an iCalendar file (RFC 5545) to add to a phone's calendar: one
all-day event per date, each with a reminder the day before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class DueDate:
    uid: str  # stable, so importing the file again updates rather than duplicates
    day: date
    title: str
    detail: str = ""


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11); control characters are dropped."""
    text = "".join(c for c in text if c in "\n" or (ord(c) >= 32 and ord(c) != 127))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a leading space (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode()) > (75 if not out else 74):
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def calendar_ics(dates: Sequence[DueDate], *, name: str, stamp: datetime) -> str:
    """The calendar text (CRLF line ends). `stamp` is the time the file is made."""
    when = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Plaint//consumer workspace//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for due in sorted(dates, key=lambda d: (d.day, d.uid)):
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_escape(due.uid)}",
            f"DTSTAMP:{when}",
            f"DTSTART;VALUE=DATE:{due.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(due.title)}",
            *([f"DESCRIPTION:{_escape(due.detail)}"] if due.detail else []),
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_escape(due.title)}",
            "TRIGGER:-P1D",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
