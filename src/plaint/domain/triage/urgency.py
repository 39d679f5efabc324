"""The urgency score: a transparent sum of named parts, each with its reason.

Score 0 to 100 from six inputs. Each part has a ceiling (its weight), so a reader can see how
much any one input can move the score:

| part | weight | full marks when |
|---|---|---|
| deadline | 30 | the nearest deadline is due or overdue; nothing when 28+ days away |
| legal risk | 20 | a litigation or regulator flag (other legal flags count 10) |
| vulnerability | 15 | the customer is flagged or recorded as vulnerable |
| amount | 15 | the amount in dispute is 10,000 or more (log scale from 50) |
| sentiment | 10 | the narrative reads as very upset (mean sentence score -0.5 or below) |
| repeat contacts | 10 | 4 or more contacts about the same complaint |

The priority follows from the score: 70+ urgent, 45+ high, 20+ normal, else low.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from plaint.domain.errors import DomainError
from plaint.domain.triage.flags import Flag
from plaint.domain.vocabulary import Priority

WEIGHTS = {
    "deadline": 30.0,
    "legal_risk": 20.0,
    "vulnerability": 15.0,
    "amount": 15.0,
    "sentiment": 10.0,
    "repeat_contacts": 10.0,
}
DEADLINE_HORIZON_DAYS = 28.0
AMOUNT_FLOOR = 50.0
AMOUNT_CEILING = 10_000.0
CONTACTS_FOR_FULL_MARKS = 4
SENTIMENT_FOR_FULL_MARKS = 0.5  # mean sentence score of -0.5 reads as very upset
SERIOUS_FLAGS = frozenset({Flag.LITIGATION, Flag.REGULATOR})
PRIORITY_BANDS = ((70.0, Priority.URGENT), (45.0, Priority.HIGH), (20.0, Priority.NORMAL))


@dataclass(frozen=True, slots=True)
class UrgencyInputs:
    """What the score is computed from. `next_deadline` is the due time of the case's
    nearest open deadline (None if it has none); `contacts` counts logged contacts."""

    now: datetime
    next_deadline: datetime | None = None
    amount_in_dispute: Decimal | None = None
    flags: Collection[Flag] = ()
    sentiment: float = 0.0  # mean VADER score of the sentences, -1 (very negative) to +1
    vulnerable: bool = False
    contacts: int = 0


@dataclass(frozen=True, slots=True)
class UrgencyPart:
    name: str
    points: float
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class Urgency:
    score: float
    priority: Priority
    parts: tuple[UrgencyPart, ...]

    def breakdown(self) -> dict[str, float]:
        return {part.name: part.points for part in self.parts}


def _deadline(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["deadline"]
    if inputs.next_deadline is None:
        return UrgencyPart("deadline", 0.0, weight, "no open deadline")
    if inputs.next_deadline.tzinfo is None:
        raise DomainError("The deadline must be a timezone-aware date and time.")
    days = (inputs.next_deadline - inputs.now).total_seconds() / 86_400
    if days <= 0:
        return UrgencyPart("deadline", weight, weight, f"deadline passed {-days:.1f} days ago")
    share = max(0.0, 1.0 - days / DEADLINE_HORIZON_DAYS)
    return UrgencyPart("deadline", weight * share, weight, f"deadline in {days:.1f} days")


def _amount(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["amount"]
    if inputs.amount_in_dispute is None or inputs.amount_in_dispute <= 0:
        return UrgencyPart("amount", 0.0, weight, "no amount in dispute")
    value = float(inputs.amount_in_dispute)
    span = math.log(AMOUNT_CEILING / AMOUNT_FLOOR)
    share = min(1.0, max(0.0, math.log(max(value, AMOUNT_FLOOR) / AMOUNT_FLOOR) / span))
    return UrgencyPart("amount", weight * share, weight, f"{value:,.2f} in dispute")


def _legal(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["legal_risk"]
    flags = set(inputs.flags) - {Flag.VULNERABILITY}
    serious = sorted(flag.value for flag in flags & SERIOUS_FLAGS)
    if serious:
        return UrgencyPart("legal_risk", weight, weight, ", ".join(serious))
    if flags:
        names = ", ".join(sorted(flag.value for flag in flags))
        return UrgencyPart("legal_risk", weight / 2, weight, names)
    return UrgencyPart("legal_risk", 0.0, weight, "no legal-risk flag")


def _vulnerability(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["vulnerability"]
    if inputs.vulnerable or Flag.VULNERABILITY in inputs.flags:
        return UrgencyPart("vulnerability", weight, weight, "vulnerable customer")
    return UrgencyPart("vulnerability", 0.0, weight, "no sign of vulnerability")


def _sentiment(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["sentiment"]
    if not -1.0 <= inputs.sentiment <= 1.0:
        raise DomainError("Sentiment must be between -1 and 1.")
    share = min(1.0, max(0.0, -inputs.sentiment) / SENTIMENT_FOR_FULL_MARKS)
    return UrgencyPart("sentiment", weight * share, weight, f"sentiment {inputs.sentiment:+.2f}")


def _contacts(inputs: UrgencyInputs) -> UrgencyPart:
    weight = WEIGHTS["repeat_contacts"]
    if inputs.contacts < 0:
        raise DomainError("The number of contacts cannot be negative.")
    share = min(1.0, inputs.contacts / CONTACTS_FOR_FULL_MARKS)
    return UrgencyPart("repeat_contacts", weight * share, weight, f"{inputs.contacts} contact(s)")


def urgency_score(inputs: UrgencyInputs) -> Urgency:
    """Score the case's urgency and show how the score was made."""
    parts = tuple(
        part(inputs) for part in (_deadline, _legal, _vulnerability, _amount, _sentiment, _contacts)
    )
    parts = tuple(UrgencyPart(p.name, round(p.points, 1), p.weight, p.reason) for p in parts)
    score = round(sum(part.points for part in parts), 1)
    priority = next((p for floor, p in PRIORITY_BANDS if score >= floor), Priority.LOW)
    return Urgency(score, priority, parts)
