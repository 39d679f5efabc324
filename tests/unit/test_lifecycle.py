import itertools

import pytest

from plaint.domain.errors import InvalidTransition
from plaint.domain.lifecycle import (
    OPEN_STATUSES,
    TRANSITIONS,
    CaseStatus,
    allowed_targets,
    check_transition,
)

S = CaseStatus

# The lifecycle written out by hand, independently of the table in the code: a change to
# either must be made on purpose in both.
EXPECTED = {
    S.RECEIVED: {S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLVED, S.ESCALATED, S.WITHDRAWN},
    S.ACKNOWLEDGED: {
        S.INVESTIGATING,
        S.AWAITING_CUSTOMER,
        S.RESOLUTION_PROPOSED,
        S.RESOLVED,
        S.ESCALATED,
        S.WITHDRAWN,
    },
    S.INVESTIGATING: {
        S.AWAITING_CUSTOMER,
        S.RESOLUTION_PROPOSED,
        S.RESOLVED,
        S.ESCALATED,
        S.WITHDRAWN,
    },
    S.AWAITING_CUSTOMER: {
        S.INVESTIGATING,
        S.RESOLUTION_PROPOSED,
        S.RESOLVED,
        S.ESCALATED,
        S.WITHDRAWN,
    },
    S.RESOLUTION_PROPOSED: {
        S.RESOLVED,
        S.INVESTIGATING,
        S.AWAITING_CUSTOMER,
        S.ESCALATED,
        S.WITHDRAWN,
    },
    S.ESCALATED: {S.INVESTIGATING, S.RESOLUTION_PROPOSED, S.RESOLVED, S.WITHDRAWN},
    S.RESOLVED: {S.CLOSED, S.REOPENED},
    S.WITHDRAWN: {S.CLOSED, S.REOPENED},
    S.CLOSED: {S.REOPENED},
    S.REOPENED: {
        S.INVESTIGATING,
        S.AWAITING_CUSTOMER,
        S.RESOLUTION_PROPOSED,
        S.RESOLVED,
        S.ESCALATED,
        S.WITHDRAWN,
    },
}

PAIRS = list(itertools.product(CaseStatus, CaseStatus))


def test_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(CaseStatus)
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_pair(current: CaseStatus, target: CaseStatus) -> None:
    if target in EXPECTED[current]:
        assert check_transition(current, target) is target
        assert target in allowed_targets(current)
    else:
        with pytest.raises(InvalidTransition) as info:
            check_transition(current, target)
        assert info.value.current == current.value
        assert info.value.target == target.value
        assert f"from '{current}' to '{target}'" in info.value.message
        assert set(info.value.allowed) == {s.value for s in EXPECTED[current]}


def test_unknown_statuses_are_refused_with_the_options() -> None:
    with pytest.raises(InvalidTransition, match="may move to: acknowledged"):
        check_transition("received", "teleported")
    with pytest.raises(InvalidTransition, match="none"):
        check_transition("limbo", "closed")


def test_no_status_moves_to_itself_or_back_to_received() -> None:
    for status, targets in TRANSITIONS.items():
        assert status not in targets
        assert S.RECEIVED not in targets


def test_open_statuses() -> None:
    assert {S.RESOLVED, S.WITHDRAWN, S.CLOSED}.isdisjoint(OPEN_STATUSES)
    assert S.ESCALATED in OPEN_STATUSES and S.REOPENED in OPEN_STATUSES


def test_every_status_can_reach_closed() -> None:
    for start in CaseStatus:
        seen, todo = {start}, [start]
        while todo:
            for nxt in TRANSITIONS[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert S.CLOSED in seen, start
