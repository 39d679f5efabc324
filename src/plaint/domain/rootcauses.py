"""The coded results of a complaint: why it happened (root cause) and how it ended
(outcome), in the codes complaint reports and regulators count by.

The root-cause taxonomy is the organisation's to edit (`plaint.cases.taxonomy` keeps it);
`DEFAULT_ROOT_CAUSES` is what an organisation has until it changes anything. Outcomes are a
closed list (`plaint.domain.vocabulary.Outcome`: upheld, partly upheld, not upheld, the
words of the FCA's complaints return). The CFPB's company-response categories are not a
second thing the handler picks: `cfpb_response` derives them from the outcome and the
redress the customer accepted, so the two can never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from plaint.domain.vocabulary import Outcome, RedressKind


@dataclass(frozen=True)
class RootCauseCode:
    code: str
    label: str


#: The default taxonomy (issue 14): what an organisation starts with.
DEFAULT_ROOT_CAUSES: tuple[RootCauseCode, ...] = (
    RootCauseCode("product_design", "Product design"),
    RootCauseCode("process_failure", "Process failure"),
    RootCauseCode("staff_error", "Staff error"),
    RootCauseCode("communication", "Communication"),
    RootCauseCode("systems", "Systems"),
    RootCauseCode("third_party", "Third party"),
    RootCauseCode("pricing_fees", "Pricing and fees"),
    RootCauseCode("policy", "Policy"),
    RootCauseCode("no_fault_found", "No fault found"),
)

#: How a case closed before root causes were coded is shown.
UNCODED = "Uncoded"

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def code_problem(code: str) -> str | None:
    """Why `code` cannot be a root-cause code, or None if it can."""
    if not _CODE.fullmatch(code):
        return "must be 1 to 40 lower-case letters, digits or underscores, starting with a letter"
    return None


def code_from_label(label: str) -> str:
    """A code for a new taxonomy entry: "Pricing & fees" -> "pricing_fees"."""
    words = re.findall(r"[a-z0-9]+", label.lower())
    code = "_".join(words)[:40].strip("_")
    if not code or not code[0].isalpha():
        code = f"cause_{code}"[:40].strip("_")
    return code


class CfpbResponse(StrEnum):
    """The CFPB Consumer Complaint Database's "company response to consumer" values for a
    closed complaint."""

    MONETARY = "Closed with monetary relief"
    NON_MONETARY = "Closed with non-monetary relief"
    EXPLANATION = "Closed with explanation"


_NON_MONETARY = frozenset({RedressKind.REPLACEMENT, RedressKind.REPAIR, RedressKind.OTHER})


def cfpb_response(
    outcome: Outcome | str, accepted: list[tuple[str, Decimal | None]]
) -> CfpbResponse:
    """The CFPB response category of a closed case, from its outcome and the redress the
    customer accepted (`(redress kind, amount)` pairs).

    Money accepted -> monetary relief; a replacement, repair or other remedy accepted ->
    non-monetary relief; otherwise (not upheld, or only an apology) -> explanation.
    """
    if Outcome(outcome) is not Outcome.NOT_UPHELD or accepted:
        if any(amount is not None and amount > 0 for _, amount in accepted):
            return CfpbResponse.MONETARY
        if any(kind in _NON_MONETARY for kind, _ in accepted):
            return CfpbResponse.NON_MONETARY
    return CfpbResponse.EXPLANATION


class Verdict(StrEnum):
    TOO_EARLY = "too_early"
    FEWER = "fewer"
    NOT_FEWER = "not_fewer"


@dataclass(frozen=True)
class Effect:
    """Complaints with an action's root cause in equal-length windows before and after
    the action was done. `after_days` may be shorter than `window_days` while the action
    is recent; the rates (per 30 days) compare the two fairly."""

    window_days: int
    after_days: int
    before: int
    after: int
    verdict: Verdict

    @property
    def before_per_30(self) -> float:
        return round(30 * self.before / self.window_days, 1)

    @property
    def after_per_30(self) -> float | None:
        return round(30 * self.after / self.after_days, 1) if self.after_days else None


def action_effect(
    received: list[date], *, done_on: date, today: date, window_days: int = 90, min_days: int = 30
) -> Effect:
    """Measure an action: complaints (their receipt dates) with its root cause in the
    `window_days` before `done_on` and in up to `window_days` after it, until `today`."""
    after_days = max(0, min(window_days, (today - done_on).days))
    start = done_on - timedelta(days=window_days)
    before = sum(1 for day in received if start <= day < done_on)
    after = sum(1 for day in received if done_on <= day < done_on + timedelta(days=after_days))
    if after_days < min_days:
        verdict = Verdict.TOO_EARLY
    elif after / after_days < before / window_days:
        verdict = Verdict.FEWER
    else:
        verdict = Verdict.NOT_FEWER
    return Effect(window_days, after_days, before, after, verdict)
