"""The vocabulary of deadline rules: periods, counting conventions, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    WEEKS = "weeks"
    MONTHS = "months"


class Counting(StrEnum):
    """Where the count starts.

    AFTER: the trigger day is not counted; day 1 is the next day ("within 30 days after").
    BEGINNING_ON: the trigger day is day 1 ("the 30-day period beginning on the date").
    """

    AFTER = "after"
    BEGINNING_ON = "beginning_on"


class Roll(StrEnum):
    """What happens when the last day is not a working day. Most statutes say nothing and
    the deadline stands (NONE); EU Regulation 1182/71 moves it to the next working day."""

    NONE = "none"
    FOLLOWING_WORKING_DAY = "following_working_day"


class Party(StrEnum):
    BUSINESS = "business"
    CUSTOMER = "customer"


class Verification(StrEnum):
    """How well the rule's source was checked (the marks of shared/reference/legal_rules.md).

    PRIMARY (✅): the operative text was read. SECONDARY (🟡): read in a secondary source.
    UNVERIFIED (⚠️): not found; shown to users as unverified, never silently.
    POLICY: not law — the organisation's own service level."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    UNVERIFIED = "unverified"
    POLICY = "policy"


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __str__(self) -> str:
        word = {
            Unit.CALENDAR_DAYS: "calendar day",
            Unit.BUSINESS_DAYS: "business day",
            Unit.WEEKS: "week",
            Unit.MONTHS: "month",
        }[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class Source:
    citation: str
    url: str
    verification: Verification
    last_verified: date
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """One deadline. `trigger` names the milestone that starts it (or ``rule:ID`` for the
    date another rule produces); `satisfied_by` the milestones that meet it."""

    id: str
    title: str
    party: Party
    trigger: str
    period: Period
    counting: Counting
    sources: tuple[Source, ...]
    description: str = ""
    # Which days count: "organisation" (its public holidays and its own closure days; house
    # rules only), "public" (the public holidays of the organisation's country or part of
    # it, without closures) or a holidays-package name ("US", "US:friday-open").
    calendar: str = "public"
    calendar_note: str = ""  # the rule's own definition of a working day, in words
    # More milestones that start the rule, whichever happens first (e.g. a summary
    # resolution communication as well as a final response).
    also_triggered_by: tuple[str, ...] = ()
    roll: Roll = Roll.NONE
    end_of: str = "day"  # "day" (midnight) or "business" (the organisation's close of business)
    measured_to: str = "action"  # "action", "receipt" or "sending": what must happen by then
    satisfied_by: tuple[str, ...] = ()
    pausable: bool = False
    pause_starts: str = ""
    pause_ends: str = ""
    min_days_after_pause: int = 0
    extension: Period | None = None
    extension_on: str = ""
    earliest_of: tuple[str, ...] = ()
    restarts_on: str = ""
    # After a restart the clock runs from the restart itself ("restart") or from the next
    # trigger after it ("next_trigger": a new final response after the case is reopened).
    restart_from: str = "restart"
    kind: str = "deadline"  # "deadline": missing it is a breach; "window": it just closes
    parameter: str = ""  # an organisation setting that replaces period.amount
    reminder_before: Period | None = None

    @property
    def verification(self) -> Verification:
        """The weakest mark among the rule's sources."""
        order = list(Verification)
        return max((s.verification for s in self.sources), key=order.index)


@dataclass(frozen=True)
class Regime:
    code: str
    title: str
    jurisdiction: str
    version: str
    rules: tuple[Rule, ...]
    description: str = ""

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@dataclass(frozen=True)
class Step:
    """One line of a derivation, for `plaint deadlines explain`."""

    text: str
    day: date | None = None


@dataclass(frozen=True)
class ComputedDeadline:
    rule: Rule
    regime: Regime
    trigger_at: datetime | None
    due_date: date | None
    due_at: datetime | None
    steps: tuple[Step, ...]
    met_at: datetime | None = None
    blocked: str = ""  # why no date could be computed (a missing fact)
    provisional: str = ""  # why the date may still change (a limit not yet known)
    warnings: tuple[str, ...] = ()  # worth a reader's attention (explain mode only)
    paused_days: int = 0  # days of the period spent paused (calendar-day pauses)

    @property
    def key(self) -> str:
        return f"{self.regime.code}/{self.rule.id}"


@dataclass(frozen=True)
class Facts:
    """What the engine knows about a case: when each milestone happened (in order)."""

    milestones: dict[str, list[datetime]] = field(default_factory=dict)
    parameters: dict[str, int] = field(default_factory=dict)

    def first(self, name: str) -> datetime | None:
        times = self.milestones.get(name)
        return min(times) if times else None

    def all(self, name: str) -> list[datetime]:
        return sorted(self.milestones.get(name, []))
