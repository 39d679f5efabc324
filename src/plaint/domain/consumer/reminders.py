"""Reminder e-mails of the dates that matter (hosted workspaces only): which are due, and
their words. Pure: the caller passes the dates, what was already sent and `today` (the
day in the case's time zone).

Each date has two reminders, `LEADS`: one three days ahead and one on the day. A reminder
is due from its day until the date itself, so a pass that runs late (or a date that was
only just added) still sends it, with the days actually left; when both are due at once
only the nearer one is sent. A date already past never gets one.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from plaint.domain.consumer.calendar import DueDate
from plaint.domain.messaging.compose import header_text_clean

#: Days before the date a reminder goes out: three days ahead, and on the day.
LEADS: tuple[int, ...] = (3, 0)

#: Never in a body line: NUL and other control characters (but the line break), and the
#: Unicode direction controls that make text read differently from what it says.
_BODY_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\x85\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class ReminderDue:
    uid: str  # the date's stable id (`DueDate.uid`)
    day: date
    lead_days: int  # which reminder: one of `LEADS`
    days_left: int  # from today to the date (0: it is today)
    title: str
    detail: str


def reminders_due(
    dates: Sequence[DueDate],
    *,
    today: date,
    sent: Collection[tuple[str, date, int]],
    leads: Sequence[int] = LEADS,
) -> list[ReminderDue]:
    """The reminders to send today: for each date not past, the nearest reminder whose day
    has come, unless `sent` (uid, day, lead) already holds it."""
    out: list[ReminderDue] = []
    for due in sorted(dates, key=lambda d: (d.day, d.uid)):
        left = (due.day - today).days
        if left < 0:
            continue
        lead = min((k for k in leads if k >= left), default=None)
        if lead is None or (due.uid, due.day, lead) in sent:
            continue
        out.append(ReminderDue(due.uid, due.day, lead, left, due.title, due.detail))
    return out


def _when(days_left: int) -> str:
    if days_left == 0:
        return "today"
    if days_left == 1:
        return "tomorrow"
    return f"in {days_left} days"


def body_text_clean(value: str) -> str:
    """`value` as it can be printed in a plain-text body: hidden and direction-changing
    characters removed, each line break kept."""
    return _BODY_UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def reminder_subject(reminders: Sequence[ReminderDue], *, case_title: str) -> str:
    """One header line naming the date (or how many) and the consumer's own case name,
    cleaned of line breaks and direction controls."""
    if len(reminders) == 1:
        text = f"Plaint reminder, {_when(reminders[0].days_left)}: {reminders[0].title}"
    else:
        text = f"Plaint reminder: {len(reminders)} dates coming up in {case_title}"
    return header_text_clean(text)


def reminder_body(reminders: Sequence[ReminderDue], *, business: str = "") -> str:
    """The plain-text e-mail for one case's reminders due today."""
    lines = ["A date that matters in your case is coming up:" if len(reminders) == 1
             else "Dates that matter in your case are coming up:", ""]  # fmt: skip
    for r in reminders:
        day = f"{r.day:%A} {r.day.day} {r.day:%B %Y}"
        lines.append(f"- {day} ({_when(r.days_left)}): {body_text_clean(r.title)}")
        if r.detail:
            lines.append(f"  {body_text_clean(r.detail)}")
    if business:
        lines += ["", f"The business: {body_text_clean(business)}"]
    lines += [
        "",
        "Sign in to your Plaint workspace to see the case and what to send next.",
        "Reminders are on for your account: you can turn them off on the My cases page.",
        "Plaint is not legal advice.",
    ]
    return "\n".join(lines) + "\n"
