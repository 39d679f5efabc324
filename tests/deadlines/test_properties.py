"""Properties of the counting engine, checked over many generated dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from plaint.domain.deadlines.calendars import calendar_for
from plaint.domain.deadlines.engine import derive
from plaint.domain.deadlines.model import (
    Counting,
    Facts,
    Party,
    Period,
    Regime,
    Rule,
    Source,
    Unit,
    Verification,
)

ZONE = ZoneInfo("Europe/London")
CALENDARS = {name: calendar_for(name) for name in ("GB-ENG", "GB-SCT", "US")}
SOURCE = (Source("test", "", Verification.POLICY, date(2026, 11, 23)),)

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
calendar_names = st.sampled_from(sorted(CALENDARS))
units = st.sampled_from(list(Unit))
countings = st.sampled_from(list(Counting))


def rule(amount: int, unit: Unit, counting: Counting, **kw: object) -> Rule:
    return Rule(
        id="r",
        title="r",
        party=Party.BUSINESS,
        trigger="t",
        period=Period(amount, unit),
        counting=counting,
        sources=SOURCE,
        **kw,
    )


def due(r: Rule, facts: dict[str, list[datetime]], calendar: str) -> date | None:
    regime = Regime("T", "t", "x", "1", (r,))
    [d] = derive(
        [regime],
        Facts(milestones=facts),
        zone=ZONE,
        close_of_business=time(17),
        calendars=lambda _: CALENDARS[calendar],
    )
    return d.due_date


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZONE)


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(1, 60), counting=countings, calendar=calendar_names)
def test_business_day_deadlines_land_on_working_days(start, n, counting, calendar) -> None:
    last = due(rule(n, Unit.BUSINESS_DAYS, counting), {"t": [noon(start)]}, calendar)
    assert last is not None and CALENDARS[calendar].is_working_day(last)
    assert last >= start


@settings(max_examples=300, deadline=None)
@given(
    a=days, b=days, n=st.integers(1, 40), unit=units, counting=countings, calendar=calendar_names
)
def test_deadlines_are_monotonic_in_the_trigger(a, b, n, unit, counting, calendar) -> None:
    early, late = sorted((a, b))
    r = rule(n, unit, counting)
    assert due(r, {"t": [noon(early)]}, calendar) <= due(r, {"t": [noon(late)]}, calendar)


@settings(max_examples=200, deadline=None)
@given(
    start=days,
    n=st.integers(5, 40),
    offset=st.integers(0, 30),
    length=st.integers(0, 20),
    calendar=calendar_names,
)
def test_a_pause_of_k_working_days_moves_a_pausable_deadline_by_k(
    start, n, offset, length, calendar
) -> None:
    cal = CALENDARS[calendar]
    pausable = rule(
        n, Unit.BUSINESS_DAYS, Counting.AFTER, pausable=True, pause_starts="p", pause_ends="q"
    )
    fixed = replace(pausable, pausable=False)
    plain = due(pausable, {"t": [noon(start)]}, calendar)
    pause_start = start + timedelta(days=1 + offset)
    if plain is None or pause_start > plain:
        return  # a pause after the deadline does not touch it
    pause_end = pause_start + timedelta(days=length)
    k = cal.working_days_between(pause_start - timedelta(days=1), pause_end)
    facts = {"t": [noon(start)], "p": [noon(pause_start)], "q": [noon(pause_end)]}
    moved = due(pausable, facts, calendar)
    assert moved == cal.add_working_days(plain, k)[0]
    assert due(fixed, facts, calendar) == plain


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(5, 60), offset=st.integers(0, 60), length=st.integers(0, 30))
def test_a_pause_of_k_days_moves_a_calendar_day_deadline_by_k(start, n, offset, length) -> None:
    r = rule(n, Unit.CALENDAR_DAYS, Counting.AFTER, pausable=True, pause_starts="p", pause_ends="q")
    plain = due(r, {"t": [noon(start)]}, "GB-ENG")
    pause_start = start + timedelta(days=1 + offset)
    if plain is None or pause_start > plain:
        return
    facts = {
        "t": [noon(start)],
        "p": [noon(pause_start)],
        "q": [noon(pause_start + timedelta(days=length))],
    }
    assert due(r, facts, "GB-ENG") == plain + timedelta(days=length + 1)


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(0, 400), calendar=calendar_names)
def test_bisection_agrees_with_stepping(start, n, calendar) -> None:
    cal = calendar_for(calendar)  # a fresh calendar, so its caches grow from nothing
    assert cal.nth_working_day_after(start, n) == cal.add_working_days(start, n)[0]


@settings(max_examples=200, deadline=None)
@given(start=days, n=st.integers(1, 60), unit=units, counting=countings, calendar=calendar_names)
def test_explaining_does_not_change_the_dates(start, n, unit, counting, calendar) -> None:
    regime = Regime("T", "t", "x", "1", (rule(n, unit, counting),))
    facts = Facts(milestones={"t": [noon(start)]})
    kwargs = {
        "zone": ZONE,
        "close_of_business": time(17),
        "calendars": lambda _: CALENDARS[calendar],
    }
    [quick] = derive([regime], facts, explain=False, **kwargs)
    [explained] = derive([regime], facts, explain=True, **kwargs)
    assert (quick.due_date, quick.due_at) == (explained.due_date, explained.due_at)
    assert quick.steps == () and explained.steps
