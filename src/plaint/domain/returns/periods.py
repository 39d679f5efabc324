"""Reporting periods: a first and last day (both included) in the organisation's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from plaint.domain.errors import FieldErrors

#: The longest period a report or return covers.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def start(self, zone: tzinfo) -> datetime:
        """The first moment of the period."""
        return datetime.combine(self.first, time(0), tzinfo=zone)

    def end(self, zone: tzinfo) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=zone)

    def __str__(self) -> str:
        return f"{self.first:%d %b %Y} to {self.last:%d %b %Y}"


def period_make(first: date | None, last: date | None, *, max_days: int = MAX_DAYS) -> Period:
    """A period from its two days, or FieldErrors saying what is wrong with them."""
    errors: dict[str, str] = {}
    if first is None:
        errors["first"] = "is required"
    if last is None:
        errors["last"] = "is required"
    if first is not None and last is not None:
        if last < first:
            errors["last"] = (
                f"is before the first day ({last:%d %b %Y} is earlier than {first:%d %b %Y})"
            )
        elif (last - first).days + 1 > max_days:
            errors["last"] = f"makes the period longer than {max_days} days"
    if errors:
        raise FieldErrors(errors)
    assert first is not None and last is not None
    return Period(first, last)


def half_year(year: int, half: int) -> Period:
    """The FCA's six-monthly periods: 1 Jan-30 Jun (half 1) and 1 Jul-31 Dec (half 2)."""
    if half == 1:
        return Period(date(year, 1, 1), date(year, 6, 30))
    if half == 2:
        return Period(date(year, 7, 1), date(year, 12, 31))
    raise FieldErrors({"half": "must be 1 (January to June) or 2 (July to December)"})
