"""How long a customer's private link works: long enough to cover the longest clock the
business runs on the case, so the customer can follow the complaint until its last
deadline without asking for a new link.

The lifetime is counted in calendar days from the moment the link is issued: the longest
business-party period among the case's regimes (HOUSE and the case's own), with its
extension if the rule has one, turned into calendar days as an upper bound, plus a week
(`MARGIN_DAYS`) to read what arrives on the last day; never less than the configured floor
(PLAINT_PORTAL_LINK_DAYS). Customer-party windows (e.g. six months to refer to the
ombudsman after a final response) are not covered: they run outside the portal, and a
customer whose link has lapsed asks for a new one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from plaint.domain.deadlines.model import Party, Period, Regime, Rule, Unit

#: Days added to the longest clock, to read what arrives on its last day.
MARGIN_DAYS = 7
#: Calendar days that may hold five business days' worth of holidays (a long Christmas).
HOLIDAY_ALLOWANCE_DAYS = 7


def calendar_days_at_most(period: Period) -> int:
    """An upper bound of `period` in calendar days, whatever day it starts on."""
    if period.unit is Unit.CALENDAR_DAYS:
        return period.amount
    if period.unit is Unit.WEEKS:
        return 7 * period.amount
    if period.unit is Unit.MONTHS:
        return 31 * period.amount
    # business days: five in each seven, and room for a run of public holidays
    return math.ceil(period.amount * 7 / 5) + HOLIDAY_ALLOWANCE_DAYS


def _rule_days(rule: Rule, parameters: Mapping[str, int]) -> int:
    amount = parameters.get(rule.parameter, rule.period.amount) if rule.parameter else None
    period = rule.period if amount is None else Period(amount, rule.period.unit)
    days = calendar_days_at_most(period)
    if rule.extension is not None:
        days += calendar_days_at_most(rule.extension)
    return days


def longest_business_clock_days(
    regimes: Iterable[Regime], *, parameters: Mapping[str, int] | None = None
) -> int:
    """The longest period the business has to meet in `regimes`, in calendar days at most
    (0 without any). `parameters` are the organisation's settings that replace a rule's
    amount (the house service levels)."""
    params = parameters or {}
    return max(
        (
            _rule_days(rule, params)
            for regime in regimes
            for rule in regime.rules
            if rule.party is Party.BUSINESS
        ),
        default=0,
    )


def link_lifetime_days(
    regimes: Iterable[Regime], *, floor_days: int, parameters: Mapping[str, int] | None = None
) -> int:
    """Days a new link for a case under `regimes` works: at least `floor_days`."""
    longest = longest_business_clock_days(regimes, parameters=parameters)
    return max(floor_days, longest + MARGIN_DAYS if longest else 0)
