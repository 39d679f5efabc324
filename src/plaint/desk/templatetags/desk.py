"""Template filters of the staff desk."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template

from plaint.domain import timeline
from plaint.domain.events import Payload

register = template.Library()


@register.filter
def describe(payload: Payload) -> str:
    return timeline.describe(payload)


@register.filter
def event_detail(payload: Payload) -> str:
    return timeline.detail(payload)


@register.filter
def add_days(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=int(days))
