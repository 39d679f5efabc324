"""How long a complaint's record is kept, as data with its source.

A rule names the regime it applies to, how many calendar years, counted from what
(the complaint's receipt, or its closure), and its source. Only DISP 1.9.1R sets a period
here; other regimes fall to the organisation's policy (`POLICY`), marked as policy.

An organisation may set its own policy (`policy_rule`) for one regime, or for every regime
that has none of its own (regime ""). Where a rule sets the period, a policy may keep the
record longer, never shorter: `policy_problems` refuses one that could end sooner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

#: Where a period may be counted from.
COUNTED_FROM = ("received", "closed")
#: The longest policy Plaint accepts, in years.
MAX_YEARS = 100


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


def retention_rule(
    regime: str, policies: Mapping[str, RetentionRule] | None = None
) -> RetentionRule:
    """The rule a case of `regime` is kept under: the organisation's own policy for the
    regime, else the rule that sets one, else the organisation's policy for every regime
    (key ""), else Plaint's default policy."""
    policies = policies or {}
    return policies.get(regime) or RULES.get(regime) or policies.get("") or POLICY


def policy_problems(regime: str, years: int, counted_from: str) -> dict[str, str]:
    """Why a policy of `years` counted from `counted_from` cannot be set for `regime`
    (empty: it can). Under a rule, the policy must never end before the rule's period."""
    problems: dict[str, str] = {}
    if not 1 <= years <= MAX_YEARS:
        problems["years"] = f"must be a whole number of years from 1 to {MAX_YEARS}"
    if counted_from not in COUNTED_FROM:
        problems["counted_from"] = "must be 'received' (the complaint's receipt) or 'closed'"
    rule = RULES.get(regime)
    if rule is not None and not problems:
        # closure is never before receipt: counting from closure is never shorter
        shorter = years < rule.years or (
            counted_from == "received" and rule.counted_from == "closed"
        )
        if shorter:
            problems["years"] = (
                f"{rule.key} is kept for {rule.years} years from "
                f"{'receipt' if rule.counted_from == 'received' else 'closure'} under "
                f"{rule.source.split(':', 1)[0]}: a policy may keep it longer, not shorter"
            )
    return problems


def policy_rule(
    regime: str, *, years: int, counted_from: str, reason: str, set_on: date
) -> RetentionRule:
    """The organisation's own policy as a rule (`kind` "policy"), with why it was set."""
    where = f"for {regime}" if regime else "for every regime without its own"
    base = RULES.get(regime)
    source = f"Organisation's policy {where}, set on {set_on.isoformat()}: {reason}"
    if base is not None:
        source += f" (at least the {base.years} years of {base.source.split(':', 1)[0]})"
    return RetentionRule(
        key=regime or "POLICY",
        title=f"Organisation's retention policy {where}",
        years=years,
        counted_from=counted_from,
        source=source,
        last_verified="",
        kind="policy",
    )


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
