"""Derive a case's deadlines from its facts, showing how each date was counted.

The engine is generic: everything particular to a law is in the regime files. It never
reads the clock; the caller passes the facts, the calendars and the time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, tzinfo

from plaint.domain.deadlines.calendars import WorkCalendar
from plaint.domain.deadlines.counting import count, roll
from plaint.domain.deadlines.model import (
    ComputedDeadline,
    Counting,
    Facts,
    Party,
    Period,
    Regime,
    Roll,
    Rule,
    Step,
    Unit,
)

CalendarResolver = Callable[[str], WorkCalendar]


def _local(moment: datetime, zone: tzinfo) -> date:
    if moment.tzinfo is None:
        raise ValueError("Deadline triggers must be timezone-aware.")
    return moment.astimezone(zone).date()


def _fmt(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


def _pauses(rule: Rule, facts: Facts) -> list[tuple[datetime, datetime | None]]:
    starts, ends = facts.all(rule.pause_starts), facts.all(rule.pause_ends)
    intervals: list[tuple[datetime, datetime | None]] = []
    for start in starts:
        end = next((e for e in ends if e >= start), None)
        intervals.append((start, end))
        if end is not None:
            ends.remove(end)
    return intervals


def _apply_pauses(
    rule: Rule,
    last: date,
    period_first: date,
    facts: Facts,
    zone: tzinfo,
    calendar: WorkCalendar | None,
    steps: list[Step] | None,
) -> tuple[date | None, str, int]:
    """Move `last` past every pause inside the period (from `period_first`, its first
    counted day, to `last`): a pause counts only for the days it overlaps the period, so
    neither the trigger day nor time before a restart is added. Returns (None, reason,
    days) while a pause is still open, and the paused days counted."""
    total = 0
    for start, end in _pauses(rule, facts):
        first_day = max(_local(start, zone), period_first)
        if first_day > last:
            continue
        if end is not None and _local(end, zone) < period_first:
            continue  # over before the period began
        if end is None:
            if steps is not None:
                steps.append(
                    Step(
                        f"clock paused since {first_day:%a %d %b %Y} ({rule.pause_starts});"
                        f" it restarts on {rule.pause_ends}",
                        first_day,
                    )
                )
            return None, f"paused until {rule.pause_ends}", total
        last_day = _local(end, zone)
        if rule.period.unit is Unit.BUSINESS_DAYS and calendar is not None:
            paused = calendar.working_days_between(first_day - timedelta(days=1), last_day)
            last, _ = calendar.add_working_days(last, paused)
            unit = "working day"
        else:
            paused = (last_day - first_day).days + 1
            last = last + timedelta(days=paused)
            unit = "day"
        total += paused
        if steps is not None:
            steps.append(
                Step(
                    f"paused {first_day:%d %b} to {last_day:%d %b %Y} inclusive: "
                    f"{paused} {unit}{'' if paused == 1 else 's'} added, now "
                    f"{last:%a %d %b %Y}",
                    last,
                )
            )
        if rule.min_days_after_pause:
            floor = last_day + timedelta(days=rule.min_days_after_pause)
            if floor > last:
                last = floor
                if steps is not None:
                    steps.append(
                        Step(
                            f"at least {rule.min_days_after_pause} days must remain after "
                            f"the pause: {last:%a %d %b %Y}",
                            last,
                        )
                    )
    return last, "", total


def rule_calendar(rule: Rule, calendars: CalendarResolver) -> WorkCalendar:
    """The calendar the rule counts on. ``public`` is the organisation's public-holiday
    calendar without its closure days; other names go to the resolver."""
    if rule.calendar == "public":
        return calendars("organisation").public_only()
    return calendars(rule.calendar)


def _trigger(rule: Rule, facts: Facts) -> datetime | None:
    times = [t for name in (rule.trigger, *rule.also_triggered_by) for t in facts.all(name)]
    return min(times) if times else None


def _one(
    rule: Rule,
    regime: Regime,
    facts: Facts,
    zone: tzinfo,
    close_of_business: time,
    calendars: CalendarResolver,
    done: dict[str, ComputedDeadline],
    explain: bool,
) -> ComputedDeadline:
    steps: list[Step] | None = [] if explain else None

    def blocked(
        reason: str, trigger_at: datetime | None = None, met_from: datetime | None = None
    ) -> ComputedDeadline:
        return ComputedDeadline(
            rule,
            regime,
            trigger_at,
            None,
            None,
            tuple(steps or ()),
            # A deadline met while its clock is paused (or before its date is known) is met.
            met_at=_met(rule, facts, met_from) if met_from is not None else None,
            blocked=reason,
        )

    if rule.earliest_of:
        parts = [done[part] for part in rule.earliest_of if part in done]
        dated = [p for p in parts if p.due_date is not None]
        unknown = [p for p in parts if p.due_date is None]
        for part in parts:
            if part.due_date is None:
                if steps is not None:
                    steps.append(Step(f"{part.rule.title}: not computed ({part.blocked})"))
            else:
                if steps is not None:
                    steps.append(
                        Step(f"{part.rule.title}: {part.due_date:%a %d %b %Y}", part.due_date)
                    )
        if not dated:
            return blocked("none of its limits can be computed yet")
        first = min(dated, key=lambda p: (p.due_date, p.rule.id))
        provisional = ""
        if unknown:
            provisional = "provisional: " + "; ".join(
                f"{p.rule.title.lower()} is not known yet ({p.blocked}) and may come first"
                for p in unknown
            )
        if steps is not None:
            steps.append(
                Step(f"whichever comes first: {first.due_date:%a %d %b %Y}", first.due_date)
            )
            if provisional:
                steps.append(Step(provisional))
        return ComputedDeadline(
            rule,
            regime,
            first.trigger_at,
            first.due_date,
            first.due_at,
            tuple(steps or ()),
            met_at=_met(
                rule, facts, min((p.trigger_at for p in dated if p.trigger_at), default=None)
            ),
            provisional=provisional,
        )

    if rule.trigger.startswith("rule:"):
        source = done.get(rule.trigger[5:])
        if source is None or source.due_date is None:
            return blocked(
                f"waits for {rule.trigger[5:]}",
                met_from=source.trigger_at if source is not None else None,
            )
        start = source.due_date
        trigger_at = source.due_at
        # The chain began with the source's own trigger: what meets this rule counts from
        # there (a dispute sent before the assumed receipt is in time).
        met_from = source.trigger_at
        if steps is not None:
            steps.append(Step(f"trigger: {source.rule.title}, {start:%a %d %b %Y}", start))
    else:
        trigger_at = _trigger(rule, facts)
        if trigger_at is None:
            names = " or ".join(
                n.replace("_", " ") for n in (rule.trigger, *rule.also_triggered_by)
            )
            return blocked(f"starts when {names} is recorded")
        if steps is not None:
            steps.append(
                Step(
                    f"trigger: {_trigger_name(rule, facts, trigger_at)} at "
                    f"{_fmt(trigger_at, zone)}",
                    _local(trigger_at, zone),
                )
            )
        if rule.restarts_on:
            first_trigger = trigger_at
            later = [t for t in facts.all(rule.restarts_on) if t > first_trigger]
            if later:
                restart = max(later)
                if rule.restart_from == "next_trigger":
                    after = [
                        t
                        for name in (rule.trigger, *rule.also_triggered_by)
                        for t in facts.all(name)
                        if t >= restart
                    ]
                    if after:
                        trigger_at = min(after)
                        if steps is not None:
                            steps.append(
                                Step(
                                    f"after {rule.restarts_on.replace('_', ' ')} at "
                                    f"{_fmt(restart, zone)}, the clock restarted on "
                                    f"{_trigger_name(rule, facts, trigger_at)} at "
                                    f"{_fmt(trigger_at, zone)}",
                                    _local(trigger_at, zone),
                                )
                            )
                    elif steps is not None:
                        steps.append(
                            Step(
                                f"{rule.restarts_on.replace('_', ' ')} at "
                                f"{_fmt(restart, zone)}: the clock restarts when "
                                f"{rule.trigger.replace('_', ' ')} is recorded again"
                            )
                        )
                else:
                    trigger_at = restart
                    if steps is not None:
                        steps.append(
                            Step(
                                f"the clock restarted on {rule.restarts_on.replace('_', ' ')} "
                                f"at {_fmt(trigger_at, zone)}",
                                _local(trigger_at, zone),
                            )
                        )
        start = _local(trigger_at, zone)
        met_from = trigger_at

    calendar = None
    if rule.period.unit is Unit.BUSINESS_DAYS or rule.roll.value != "none":
        calendar = rule_calendar(rule, calendars)
    amount = (
        facts.parameters.get(rule.parameter, rule.period.amount)
        if rule.parameter
        else (rule.period.amount)
    )
    period = Period(amount, rule.period.unit)
    if steps is not None:
        steps.append(
            Step(
                f"rule: {period} ({rule.counting.value.replace('_', ' ')} the trigger)"
                f" — {', '.join(s.citation for s in rule.sources)}"
            )
        )
    last, counted = count(start, period, rule.counting, calendar, explain)
    if steps is not None and counted is not None:
        steps += counted

    if rule.extension is not None and rule.extension_on:
        extended_by = next(
            (t for t in facts.all(rule.extension_on) if start <= _local(t, zone) <= last), None
        )
        if extended_by is not None:
            last, _ = count(last, rule.extension, Counting.AFTER, calendar, explain=False)
            if steps is not None:
                steps.append(
                    Step(
                        f"{rule.extension_on.replace('_', ' ')} on "
                        f"{_local(extended_by, zone):%d %b %Y}, within the period: "
                        f"extended by {rule.extension} to {last:%a %d %b %Y}",
                        last,
                    )
                )

    paused_days = 0
    if rule.pausable:
        period_first = start if rule.counting is Counting.BEGINNING_ON else start + timedelta(1)
        paused_last, reason, paused_days = _apply_pauses(
            rule, last, period_first, facts, zone, calendar, steps
        )
        if paused_last is None:
            return blocked(reason, trigger_at, met_from)
        last = paused_last

    last, rolled = roll(last, rule.roll, calendar, explain)
    if steps is not None and rolled is not None:
        steps += rolled
    warnings: list[str] = []
    if explain and rule.roll is Roll.NONE:
        closed = rule_calendar(rule, calendars).non_working_reason(last)
        if closed is not None:
            warnings.append(
                f"the last day, {last:%a %d %b %Y}, is not a working day ({closed}); the "
                "rule does not move it, so it stands"
            )
    if rule.end_of == "business":
        due_at = datetime.combine(last, close_of_business, tzinfo=zone)
        if steps is not None:
            steps.append(
                Step(
                    f"{_ends(rule)} by close of business ({close_of_business:%H:%M}) on "
                    f"{last:%a %d %b %Y}",
                    last,
                )
            )
    else:
        due_at = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        if steps is not None:
            steps.append(Step(f"{_ends(rule)} by the end of {last:%a %d %b %Y}", last))
    return ComputedDeadline(
        rule,
        regime,
        trigger_at,
        last,
        due_at,
        tuple(steps or ()),
        met_at=_met(rule, facts, met_from),
        warnings=tuple(warnings),
        paused_days=paused_days,
    )


def _ends(rule: Rule) -> str:
    """How a step names the end: only the business's own deadlines are "due"."""
    if rule.party is Party.CUSTOMER:
        return "the customer's time ends"
    return "the window closes" if rule.kind == "window" else "due"


def _trigger_name(rule: Rule, facts: Facts, moment: datetime) -> str:
    for name in (rule.trigger, *rule.also_triggered_by):
        if moment in facts.all(name):
            return name.replace("_", " ")
    return rule.trigger.replace("_", " ")


def _met(rule: Rule, facts: Facts, since: datetime | None) -> datetime | None:
    times = [
        t for name in rule.satisfied_by for t in facts.all(name) if since is None or t >= since
    ]
    return min(times) if times else None


def derive(
    regimes: Iterable[Regime],
    facts: Facts,
    *,
    zone: tzinfo,
    close_of_business: time,
    calendars: CalendarResolver,
    explain: bool = True,
) -> list[ComputedDeadline]:
    """Every deadline of every regime for a case with these facts, in rule order. Rules
    whose trigger has not happened come back with `blocked` saying what they wait for.
    With `explain=False` the steps of each count are not written out (bulk recomputing)."""
    out: list[ComputedDeadline] = []
    for regime in regimes:
        done: dict[str, ComputedDeadline] = {}
        for rule in regime.rules:
            computed = _one(rule, regime, facts, zone, close_of_business, calendars, done, explain)
            done[rule.id] = computed
            out.append(computed)
    return out


def period_usage(due: ComputedDeadline, zone: tzinfo, today: date) -> tuple[int, int] | None:
    """Days of a calendar-day period used and remaining on `today` (paused days are not
    used): what a customer with a pausable right (the Consumer Rights Act short-term right
    to reject) needs to know. None for other rules or while the date is unknown."""
    rule = due.rule
    if rule.period.unit is not Unit.CALENDAR_DAYS or due.due_date is None:
        return None
    if due.trigger_at is None:
        return None
    start = _local(due.trigger_at, zone)
    first = start if rule.counting is Counting.BEGINNING_ON else start + timedelta(days=1)
    elapsed = max(0, (min(today, due.due_date) - first).days + 1)
    used = max(0, elapsed - due.paused_days)
    remaining = max(0, (due.due_date - today).days)
    return used, remaining
