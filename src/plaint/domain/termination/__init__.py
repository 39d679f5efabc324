"""Ending service to a customer as a guarded last resort: the reason taxonomy, the
alternatives, the notice rules (data files in `rules/`, with sources) and the guards, as
pure functions. No Django, no clock: callers pass the dates."""

from plaint.domain.termination.guards import (
    RULES,
    CheckFacts,
    GuardRefused,
    Refusal,
    appeal_refusals,
    approval_refusals,
    check_refusals,
    proposal_refusals,
    refuse_if_any,
)
from plaint.domain.termination.notice import (
    NoticeDecision,
    NoticeFacts,
    NoticeRule,
    NoticeTooShort,
    ProductKind,
    add_months,
    notice_compute,
    notice_rules,
)
from plaint.domain.termination.taxonomy import (
    IMMEDIATE_REASONS,
    REASON_LABELS,
    Alternative,
    AlternativeOutcome,
    Reason,
    Status,
)

__all__ = [
    "IMMEDIATE_REASONS",
    "REASON_LABELS",
    "RULES",
    "Alternative",
    "AlternativeOutcome",
    "CheckFacts",
    "GuardRefused",
    "NoticeDecision",
    "NoticeFacts",
    "NoticeRule",
    "NoticeTooShort",
    "ProductKind",
    "Reason",
    "Refusal",
    "Status",
    "add_months",
    "appeal_refusals",
    "approval_refusals",
    "check_refusals",
    "notice_compute",
    "notice_rules",
    "proposal_refusals",
    "refuse_if_any",
]
