"""How long a complaint's record is kept, as data with its source.

A rule names the regime it applies to, how many calendar years, counted from what
(the complaint's receipt, or its closure), and its source. Only DISP 1.9.1R sets a period
here; other regimes fall to the organisation's policy (`POLICY`), marked as policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class RetentionRule:
    key: str
    title: str
    years: int
    counted_from: str  # "received" or "closed"
    source: str
    last_verified: str
    kind: str  # "rule" (a rule sets it) or "policy" (the organisation chose it)


DISP_1_9 = RetentionRule(
    key="UK-FCA-DISP",
    title="Complaints record of an FCA-regulated firm",
    years=3,
    counted_from="received",
    source=(
        "FCA Handbook DISP 1.9.1R: keep a record of each complaint received and the measures "
        "taken for its resolution for 3 years from receipt (5 years for complaints about "
        "collective portfolio management of UCITS schemes: set that case's regime policy)"
    ),
    last_verified="2026-12-01 (text as in the Handbook version dated 2021-09-23)",
    kind="rule",
)

POLICY = RetentionRule(
    key="POLICY",
    title="Organisation's retention policy",
    years=6,
    counted_from="closed",
    source="No rule in Plaint's reference sets a period; 6 years after closure is a policy",
    last_verified="",
    kind="policy",
)

RULES: dict[str, RetentionRule] = {DISP_1_9.key: DISP_1_9}


def retention_rule(regime: str) -> RetentionRule:
    return RULES.get(regime, POLICY)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def retention_ends(
    rule: RetentionRule, *, received_on: date, closed_on: date | None
) -> date | None:
    """The first day the record may be erased; None while an open case's clock (counted
    from closure) has not started. A case is never erased while it is open."""
    if closed_on is None:
        return None
    start = received_on if rule.counted_from == "received" else closed_on
    return max(_add_years(start, rule.years), closed_on)
