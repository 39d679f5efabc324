"""Ombudsman and ADR referral windows, read from the data files in ``referrals/``.

Each regime's file says who the customer may go to, when the window opens (at once on
certain facts, e.g. the final response or a deadlock letter, or a period after the
complaint), when it closes (a period after a fact), and its sources with how well each was
checked and when. `referral_window` counts the dates from the facts of one case.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from plaint.domain.deadlines.calendars import WorkCalendar
from plaint.domain.deadlines.counting import add_months
from plaint.domain.deadlines.model import Verification
from plaint.domain.errors import DomainError


class Fact(StrEnum):
    """The dated facts of a case a referral window counts from."""

    COMPLAINT = "complaint"
    FINAL_RESPONSE = "final_response"
    SUMMARY_RESOLUTION = "summary_resolution"
    DEADLOCK = "deadlock"
    HOLDING_RESPONSE = "holding_response"


FACT_WORDS = {
    Fact.COMPLAINT: "the complaint was made",
    Fact.FINAL_RESPONSE: "the final response",
    Fact.SUMMARY_RESOLUTION: "the summary resolution communication",
    Fact.DEADLOCK: "the deadlock letter",
    Fact.HOLDING_RESPONSE: "the holding response",
}

UNITS = ("calendar_days", "weeks", "months", "business_days")


@dataclass(frozen=True)
class Source:
    citation: str
    verification: Verification
    last_verified: date
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Span:
    amount: int
    unit: str

    def words(self) -> str:
        unit = self.unit.replace("calendar_", "").replace("_", " ")
        return f"{self.amount} {unit if self.amount != 1 else unit.rstrip('s')}"

    def add(self, day: date, calendar: WorkCalendar | None) -> date:
        if self.unit == "calendar_days":
            return day + timedelta(days=self.amount)
        if self.unit == "weeks":
            return day + timedelta(weeks=self.amount)
        if self.unit == "months":
            return add_months(day, self.amount)
        if calendar is None:
            raise DomainError("Counting business days needs the organisation's holiday calendar.")
        return calendar.nth_working_day_after(day, self.amount)


@dataclass(frozen=True)
class ReferralRule:
    regime: str
    body: str
    where: str
    version: str
    opens_on: tuple[Fact, ...]
    opens_after: Span | None
    opens_after_with_holding: Span | None
    opens_verification: Verification
    closes_after: tuple[Fact, ...]
    closes_period: Span | None
    closes_verification: Verification
    outcome_within: str
    notes: tuple[str, ...]
    sources: tuple[Source, ...]
    fos_eligibility: bool = False

    @property
    def verification(self) -> Verification:
        """The weakest mark among its sources and its parts."""
        order = list(Verification)
        marks = [s.verification for s in self.sources]
        marks += [self.opens_verification, self.closes_verification]
        return max(marks, key=order.index)


@dataclass(frozen=True)
class ReferralFacts:
    """When each fact happened on the case (None: not yet)."""

    complaint: date
    final_response: date | None = None
    summary_resolution: date | None = None
    deadlock: date | None = None
    holding_response: date | None = None

    def on(self, fact: Fact) -> date | None:
        value: date | None = getattr(self, fact.value)
        return value


class WindowState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class ReferralWindow:
    rule: ReferralRule
    opens_on: date
    opens_because: str
    closes_on: date | None  # the last day to refer; None: no closing date encoded or not started
    closes_because: str
    state: WindowState


class UnknownReferralRegime(DomainError):
    def __init__(self, regime: str) -> None:
        known = ", ".join(sorted(referral_rules()))
        super().__init__(
            f"{regime or 'A case without a regime'} has no ombudsman or ADR referral route in "
            f"Plaint's rules. Regimes with one: {known}."
        )


def _span(raw: Any, where: str) -> Span | None:
    if raw is None:
        return None
    unit = raw.get("unit")
    amount = raw.get("amount")
    if unit not in UNITS or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"{where}: a period needs a whole amount and a unit of {UNITS}")
    return Span(amount, unit)


def _facts(raw: Any, where: str) -> tuple[Fact, ...]:
    try:
        return tuple(Fact(item) for item in raw or ())
    except ValueError:
        raise ValueError(f"{where}: facts must be among {[f.value for f in Fact]}") from None


def rule_from_toml(text: str, name: str = "<text>") -> ReferralRule:
    raw = tomllib.loads(text)
    opens, closes = raw.get("opens", {}), raw.get("closes", {})
    outcome = raw.get("outcome_within")
    sources = tuple(
        Source(
            citation=s["citation"],
            verification=Verification(s["verification"]),
            last_verified=s["last_verified"],
            url=s.get("url", ""),
            note=s.get("note", ""),
        )
        for s in raw.get("sources", ())
    )
    if not sources:
        raise ValueError(f"{name}: a referral rule needs at least one source")
    return ReferralRule(
        regime=raw["regime"],
        body=raw["body"],
        where=raw.get("where", ""),
        version=raw["version"],
        opens_on=_facts(opens.get("on"), f"{name} [opens]"),
        opens_after=_span(opens.get("after_complaint"), f"{name} [opens]"),
        opens_after_with_holding=_span(
            opens.get("after_complaint_with_holding_response"), f"{name} [opens]"
        ),
        opens_verification=Verification(opens.get("verification", "primary")),
        closes_after=_facts(closes.get("after"), f"{name} [closes]"),
        closes_period=_span(closes.get("period"), f"{name} [closes]"),
        closes_verification=Verification(closes.get("verification", "primary")),
        outcome_within=(
            f"{_span(outcome, name).words()} after {outcome['after']}"  # type: ignore[union-attr]
            if outcome
            else ""
        ),
        notes=tuple(raw.get("notes", closes.get("notes", ()))),
        sources=sources,
        fos_eligibility=bool(raw.get("fos_eligibility", False)),
    )


@cache
def referral_rules() -> dict[str, ReferralRule]:
    folder = resources.files("plaint.domain.disputes") / "referrals"
    rules = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name != "fos-eligibility.toml":
            rule = rule_from_toml(entry.read_text(encoding="utf-8"), entry.name)
            rules[rule.regime] = rule
    return rules


def referral_rule(regime: str) -> ReferralRule:
    found = referral_rules().get(regime)
    if found is None:
        raise UnknownReferralRegime(regime)
    return found


def referral_window(
    rule: ReferralRule,
    facts: ReferralFacts,
    *,
    today: date,
    calendar: WorkCalendar | None = None,
) -> ReferralWindow:
    """When the customer may refer under `rule`, by when, and whether they may today."""
    candidates: list[tuple[date, str]] = []
    for fact in rule.opens_on:
        day = facts.on(fact)
        if day is not None:
            candidates.append((day, f"on {FACT_WORDS[fact]}"))
    after = rule.opens_after
    if facts.holding_response is not None and rule.opens_after_with_holding is not None:
        after = rule.opens_after_with_holding
    if after is not None:
        candidates.append(
            (after.add(facts.complaint, calendar), f"{after.words()} after the complaint")
        )
    if not candidates:
        raise DomainError(f"{rule.regime}: the referral rule says nothing about when it opens.")
    opens_on, opens_because = min(candidates, key=lambda item: item[0])

    closes_on, closes_because = None, "no closing date is encoded for this route"
    if rule.closes_period is not None:
        started = [(facts.on(f), f) for f in rule.closes_after if facts.on(f) is not None]
        if started:
            day, fact = min(started, key=lambda item: item[0])  # type: ignore[arg-type,return-value]
            assert day is not None
            closes_on = rule.closes_period.add(day, calendar)
            closes_because = f"{rule.closes_period.words()} from {FACT_WORDS[fact]}"
        else:
            words = " or ".join(FACT_WORDS[f] for f in rule.closes_after)
            closes_because = f"{rule.closes_period.words()} from {words}, once it is sent"
    if today < opens_on:
        state = WindowState.NOT_YET
    elif closes_on is not None and today > closes_on:
        state = WindowState.CLOSED
    else:
        state = WindowState.OPEN
    return ReferralWindow(rule, opens_on, opens_because, closes_on, closes_because, state)
