"""The life of a case: its statuses and the moves allowed between them.

The table below is the single source of truth for transitions. Services call
`check_transition` before changing a case; the desk offers only `allowed_targets`.
"""

from __future__ import annotations

from enum import StrEnum

from plaint.domain.errors import InvalidTransition


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLUTION_PROPOSED = "resolution_proposed"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "Received",
    CaseStatus.ACKNOWLEDGED: "Acknowledged",
    CaseStatus.INVESTIGATING: "Investigating",
    CaseStatus.AWAITING_CUSTOMER: "Awaiting customer",
    CaseStatus.RESOLUTION_PROPOSED: "Resolution proposed",
    CaseStatus.ESCALATED: "Escalated",
    CaseStatus.RESOLVED: "Resolved",
    CaseStatus.WITHDRAWN: "Withdrawn",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.REOPENED: "Reopened",
}

_S = CaseStatus
_WORKING = frozenset({_S.INVESTIGATING, _S.AWAITING_CUSTOMER, _S.RESOLUTION_PROPOSED})

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    # A complaint can be resolved at first contact (a "summary resolution") without an
    # acknowledgement, so RESOLVED is reachable from RECEIVED.
    _S.RECEIVED: frozenset(
        {_S.ACKNOWLEDGED, _S.INVESTIGATING, _S.RESOLVED, _S.ESCALATED, _S.WITHDRAWN}
    ),
    _S.ACKNOWLEDGED: _WORKING | {_S.RESOLVED, _S.ESCALATED, _S.WITHDRAWN},
    _S.INVESTIGATING: frozenset(
        {_S.AWAITING_CUSTOMER, _S.RESOLUTION_PROPOSED, _S.RESOLVED, _S.ESCALATED, _S.WITHDRAWN}
    ),
    _S.AWAITING_CUSTOMER: frozenset(
        {_S.INVESTIGATING, _S.RESOLUTION_PROPOSED, _S.RESOLVED, _S.ESCALATED, _S.WITHDRAWN}
    ),
    # The customer accepts (resolved), rejects (back to investigating), or is asked for more.
    _S.RESOLUTION_PROPOSED: frozenset(
        {_S.RESOLVED, _S.INVESTIGATING, _S.AWAITING_CUSTOMER, _S.ESCALATED, _S.WITHDRAWN}
    ),
    _S.ESCALATED: frozenset({_S.INVESTIGATING, _S.RESOLUTION_PROPOSED, _S.RESOLVED, _S.WITHDRAWN}),
    _S.RESOLVED: frozenset({_S.CLOSED, _S.REOPENED}),
    _S.WITHDRAWN: frozenset({_S.CLOSED, _S.REOPENED}),
    _S.CLOSED: frozenset({_S.REOPENED}),
    _S.REOPENED: _WORKING | {_S.RESOLVED, _S.ESCALATED, _S.WITHDRAWN},
}

#: Statuses in which the case still needs work from the business.
OPEN_STATUSES: frozenset[CaseStatus] = frozenset(TRANSITIONS) - {
    _S.RESOLVED,
    _S.WITHDRAWN,
    _S.CLOSED,
}


def allowed_targets(current: CaseStatus) -> frozenset[CaseStatus]:
    """The statuses a case in `current` may move to."""
    return TRANSITIONS[current]


def check_transition(current: CaseStatus | str, target: CaseStatus | str) -> CaseStatus:
    """Return `target` as a status if the move is allowed; raise `InvalidTransition` if not."""
    try:
        cur = CaseStatus(current)
    except ValueError:
        raise InvalidTransition(str(current), str(target), []) from None
    try:
        tgt = CaseStatus(target)
    except ValueError:
        raise InvalidTransition(
            cur.value, str(target), [s.value for s in TRANSITIONS[cur]]
        ) from None
    if tgt not in TRANSITIONS[cur]:
        raise InvalidTransition(cur.value, tgt.value, [s.value for s in TRANSITIONS[cur]])
    return tgt
