"""Working-day calendars: weekends, public holidays (from the `holidays` package, per
country and subdivision) and an organisation's own closure days.

Holiday sets are computed once per calendar and year, so stepping over working days is a
set lookup per day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY, SUNDAY = 5, 6


#: The variant suffix of a calendar whose Saturday holidays are NOT made up on the Friday
#: before: ``US:friday-open``. The holidays package follows 5 U.S.C. 6103(b) and E.O. 11582
#: (a Saturday holiday is observed on the Friday), but the Federal Reserve Banks stay open
#: on those Fridays, so a bank-side business-day count must not gain a day from them.
FRIDAY_OPEN = "friday-open"

#: Countries whose bare code is not one calendar: each part has its own bank holidays.
SUBDIVISION_REQUIRED = {
    "GB": ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR"),
}


class UnknownCalendar(ValueError):
    """The calendar name is not a country (and subdivision) the holidays package knows."""


@lru_cache(maxsize=256)
def _public_holidays(
    country: str, subdivision: str | None, year: int, friday_open: bool = False
) -> Mapping[date, str]:
    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except (NotImplementedError, KeyError) as exc:
        raise UnknownCalendar(
            f"No holiday calendar for {country}{'-' + subdivision if subdivision else ''}: {exc}"
        ) from None
    days = dict(found)
    if friday_open:
        # Drop the Fridays that only stand in for a Saturday holiday (the observed day, which
        # the package adds on top of the holiday itself).
        actual = holidays.country_holidays(
            country, subdiv=subdivision, years=(year, year + 1), observed=False
        )
        days = {
            day: name
            for day, name in days.items()
            if not (
                day.weekday() == 4 and day not in actual and (day + timedelta(days=1)) in actual
            )
        }
    return days


def calendar_name_check(name: str) -> str:
    """`name` if it is a calendar Plaint can count on, else UnknownCalendar with a precise
    message. A bare ``GB`` is refused: it has only the holidays common to every part of the
    UK (no Easter Monday, no August bank holiday), so it matches no part of it."""
    base = name.partition(":")[0]
    if base in SUBDIVISION_REQUIRED:
        parts = SUBDIVISION_REQUIRED[base]
        raise UnknownCalendar(
            f"{base} alone is not a holiday calendar: each part has its own bank holidays. "
            f"Choose one of {', '.join(parts[:-1])} or {parts[-1]}."
        )
    WorkCalendar(name=name).check()
    return name


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days. `name` is ``COUNTRY`` or ``COUNTRY-SUBDIVISION`` as the
    holidays package spells them, e.g. ``GB-ENG``, ``GB-SCT``, ``US``, ``US-CA``."""

    name: str
    closures: Mapping[date, str] = field(default_factory=dict)
    weekend: frozenset[int] = frozenset({SATURDAY, SUNDAY})
    _years: dict[int, dict[date, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    # Ordinals of the working days of the years in _span, sorted, for counting by bisection.
    _working: list[int] = field(default_factory=list, init=False, repr=False, compare=False)
    _span: list[int] = field(default_factory=list, init=False, repr=False, compare=False)
    _twins: dict[str, WorkCalendar] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def region(self) -> str:
        """The name without its variant: ``US`` for ``US:friday-open``."""
        return self.name.partition(":")[0]

    @property
    def variant(self) -> str:
        return self.name.partition(":")[2]

    @property
    def country(self) -> str:
        return self.region.split("-", 1)[0]

    @property
    def subdivision(self) -> str | None:
        parts = self.region.split("-", 1)
        return parts[1] if len(parts) == 2 else None

    def public_only(self) -> WorkCalendar:
        """The same calendar without the organisation's closure days: what a statutory
        business-day count uses (a firm's own closures are not holidays in law)."""
        if not self.closures:
            return self
        twin = self._twins.get("public")
        if twin is None:
            twin = self._twins["public"] = WorkCalendar(name=self.name, weekend=self.weekend)
        return twin

    def check(self) -> WorkCalendar:
        """Raise UnknownCalendar now rather than half-way through a computation."""
        if self.variant not in {"", FRIDAY_OPEN}:
            raise UnknownCalendar(
                f"Unknown calendar variant {self.variant!r} in {self.name}: "
                f"the only one is {FRIDAY_OPEN!r}."
            )
        self._year(2026)
        return self

    def _year(self, year: int) -> dict[date, str]:
        """Every non-working day of `year` with its reason, computed once."""
        found = self._years.get(year)
        if found is None:
            found = {}
            day = date(year, 1, 1)
            while day.year == year:
                if day.weekday() in self.weekend:
                    found[day] = day.strftime("%A")
                day += timedelta(days=1)
            public = _public_holidays(
                self.country, self.subdivision, year, self.variant == FRIDAY_OPEN
            )
            for day, name in public.items():
                found.setdefault(day, f"{name} ({self.region})")
            for day, reason in self.closures.items():
                if day.year == year:
                    found.setdefault(day, f"Organisation closed: {reason}")
            self._years[year] = found
        return found

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a working day (``"Saturday"``, ``"Good Friday (GB-ENG)"``,
        ``"Organisation closed: stocktake"``), or None if it is one."""
        return self._year(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def _cover(self, first_year: int, last_year: int) -> None:
        if self._span and self._span[0] <= first_year and last_year <= self._span[1]:
            return
        low = min([first_year, *self._span[:1]])
        high = max([last_year, *self._span[1:]])
        working = []
        for year in range(low, high + 1):
            closed = self._year(year)
            day = date(year, 1, 1)
            while day.year == year:
                if day not in closed:
                    working.append(day.toordinal())
                day += timedelta(days=1)
        self._working[:] = working
        self._span[:] = [low, high]

    def nth_working_day_after(self, start: date, count: int) -> date:
        """The same date as `add_working_days(start, count)[0]`, found by bisection."""
        if count == 0:
            return start
        self._cover(start.year - 1, start.year + 2 + count // 200)
        index = bisect_right(self._working, start.toordinal()) + count - 1
        while index >= len(self._working):  # very long counts: cover more years
            self._cover(self._span[0], self._span[1] + 2)
            index = bisect_right(self._working, start.toordinal()) + count - 1
        return date.fromordinal(self._working[index])

    def add_working_days(self, start: date, count: int) -> tuple[date, list[tuple[date, str]]]:
        """The `count`-th working day after `start` (start itself not counted), and the
        non-working days skipped on the way. `count` may be 0: `start` itself."""
        if count < 0:
            raise ValueError("count must not be negative")
        day, skipped, left = start, [], count
        while left:
            day += timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is None:
                left -= 1
            else:
                skipped.append((day, reason))
        return day, skipped

    def next_working_day(self, day: date) -> tuple[date, list[tuple[date, str]]]:
        """`day` if it is a working day, else the first working day after it."""
        skipped = []
        while (reason := self.non_working_reason(day)) is not None:
            skipped.append((day, reason))
            day += timedelta(days=1)
        return day, skipped

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 if end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def calendar_for(name: str, closures: Iterable[tuple[date, str]] = ()) -> WorkCalendar:
    return WorkCalendar(name=name, closures=dict(closures)).check()


#: The calendar an organisation gets when it names only its country. Great Britain has
#: no single calendar; England and Wales is the most common, and is said when used.
DEFAULT_PART = {"GB": "GB-ENG"}


def holiday_calendar_for(country: str, calendar: str | None = None) -> str:
    """The holiday calendar of an organisation in `country`: `calendar` if given (it must
    be of that country, e.g. ``US-CA`` for ``US``), else the country's own (``US``), or for
    GB the default part (``GB-ENG``). Raises UnknownCalendar with a message saying what
    to choose."""
    country = country.strip().upper()
    if calendar is None or not calendar.strip():
        calendar = DEFAULT_PART.get(country, country)
    calendar = calendar.strip().upper().replace(":FRIDAY-OPEN", ":" + FRIDAY_OPEN)
    own = calendar.partition(":")[0].split("-", 1)[0]
    if own != country:
        raise UnknownCalendar(
            f"The holiday calendar {calendar} is not one of {country}'s; use {country} or "
            f"{country}-SUBDIVISION (e.g. {DEFAULT_PART.get(country, country)})."
        )
    return calendar_name_check(calendar)
