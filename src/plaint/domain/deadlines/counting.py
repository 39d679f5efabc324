"""Counting a period from a trigger date under each convention, showing each step."""

from __future__ import annotations

import calendar as monthcal
from datetime import date, timedelta

from plaint.domain.deadlines.calendars import WorkCalendar
from plaint.domain.deadlines.model import Counting, Period, Roll, Step, Unit


def add_months(day: date, months: int) -> date:
    """Calendar months, clipped to the end of a shorter month: 31 Jan + 1 month = 28 Feb
    (29 Feb in a leap year); 30 Nov + 3 months = 28 Feb. The same policy as
    dateutil.relativedelta and as most courts count months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthcal.monthrange(year, month)[1]))


def _skipped(skipped: list[tuple[date, str]]) -> list[Step]:
    """Name every holiday and closure skipped; count the weekend days."""
    steps = [
        Step(f"skipped {d:%a %d %b %Y}: {why}", d)
        for d, why in skipped
        if why not in {"Saturday", "Sunday"}
    ]
    weekend = len(skipped) - len(steps)
    if weekend and steps is not None:
        steps.append(Step(f"skipped {weekend} weekend day{'' if weekend == 1 else 's'}"))
    return steps


def count(
    start: date,
    period: Period,
    counting: Counting,
    calendar: WorkCalendar | None,
    explain: bool = True,
) -> tuple[date, list[Step] | None]:
    """The last day of `period` counted from `start` under `counting`, and (if `explain`)
    the steps of the count."""
    steps: list[Step] | None = [] if explain else None
    n = period.amount
    if period.unit is Unit.BUSINESS_DAYS:
        if calendar is None:
            raise ValueError("business days need a calendar")
        if steps is None:  # the fast path: no explanation wanted
            if counting is Counting.BEGINNING_ON:
                first = (
                    start
                    if calendar.is_working_day(start)
                    else calendar.nth_working_day_after(start, 1)
                )
                return calendar.nth_working_day_after(first, n - 1), None
            return calendar.nth_working_day_after(start, n), None
        if counting is Counting.BEGINNING_ON:
            first, skipped = calendar.next_working_day(start)
            steps += _skipped(skipped)
            steps.append(
                Step(
                    f"day 1 is {first:%a %d %b %Y} (the period begins on the trigger "
                    "day, or the first working day after it)",
                    first,
                )
            )
            last, skipped = calendar.add_working_days(first, n - 1)
        else:
            steps.append(
                Step(
                    f"the trigger day {start:%a %d %b %Y} is not counted; day 1 is "
                    "the next working day",
                    start,
                )
            )
            last, skipped = calendar.add_working_days(start, n)
        steps += _skipped(skipped)
        steps.append(
            Step(f"business day {n} is {last:%a %d %b %Y} ({calendar.name} calendar)", last)
        )
        return last, steps
    offset = -1 if counting is Counting.BEGINNING_ON else 0
    if counting is Counting.BEGINNING_ON:
        if steps is not None:
            steps.append(Step(f"the trigger day {start:%a %d %b %Y} is day 1", start))
    else:
        if steps is not None:
            steps.append(Step(f"the trigger day {start:%a %d %b %Y} is not counted", start))
    if period.unit is Unit.CALENDAR_DAYS:
        last = start + timedelta(days=n + offset)
    elif period.unit is Unit.WEEKS:
        last = start + timedelta(weeks=n, days=offset)
    else:
        last = add_months(start, n) + timedelta(days=offset)
        if last.day != start.day and offset == 0 and steps is not None:
            steps.append(
                Step(
                    f"{start:%d %B} has no counterpart {n} month(s) later; the last "
                    "day of that month is used",
                    last,
                )
            )
    if steps is not None:
        steps.append(Step(f"{period} later: {last:%a %d %b %Y}", last))
    return last, steps


def roll(
    last: date, rule_roll: Roll, calendar: WorkCalendar | None, explain: bool = True
) -> tuple[date, list[Step] | None]:
    if rule_roll is Roll.NONE or calendar is None:
        return last, []
    moved, skipped = calendar.next_working_day(last)
    if moved == last:
        return last, []
    steps: list[Step] | None = (
        None
        if not explain
        else [Step(f"{d:%a %d %b %Y} is not a working day ({why})", d) for d, why in skipped]
    )
    if steps is not None:
        steps.append(
            Step(
                f"the rule moves a deadline that ends on a non-working day to the next "
                f"working day: {moved:%a %d %b %Y}",
                moved,
            )
        )
    return moved, steps
