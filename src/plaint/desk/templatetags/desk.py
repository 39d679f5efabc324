"""Template filters of the staff desk."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from plaint.domain import contactpoints, timeline
from plaint.domain.events import Payload

register = template.Library()


@register.filter
def describe(payload: Payload) -> str:
    return timeline.describe(payload)


@register.filter
def event_detail(payload: Payload) -> str:
    return timeline.detail(payload)


@register.filter
def phone(value: str, country: str) -> str:
    """A stored phone number (E.164) as people write it in `country`."""
    return contactpoints.phone_display(value, country=country)


@register.filter
def add_days(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=int(days))


@register.filter
def highlight(text: str, flags: Any) -> SafeString:
    """The text, escaped, with each flag's evidence span wrapped in <mark>. Spans are
    offsets into the text; any that do not match it (or overlap another) are left out."""
    spans: list[tuple[int, int, str]] = []
    for flag in flags or []:
        for item in flag.get("evidence", []) if isinstance(flag, dict) else []:
            start, end = item.get("start"), item.get("end")
            if (
                isinstance(start, int)
                and isinstance(end, int)
                and 0 <= start < end <= len(text)
                and text[start:end] == item.get("text", text[start:end])
            ):
                spans.append((start, end, str(flag.get("label", ""))))
    parts: list[str] = []
    position = 0
    for start, end, title in sorted(spans):
        if start < position:
            continue
        parts.append(escape(text[position:start]))
        parts.append(f'<mark title="{escape(title)}">{escape(text[start:end])}</mark>')
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - every piece escaped


@register.filter
def percent(value: float) -> str:
    return f"{float(value) * 100:.0f}%"


@register.filter
def duration_words(value: timedelta) -> str:
    """A length of time in words: "15 minutes", "1 hour 30 minutes", "2 days"."""
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " ".join(parts) or "less than a minute"
