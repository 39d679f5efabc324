from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from plaint.domain.errors import DomainError
from plaint.domain.triage.flags import Flag
from plaint.domain.triage.urgency import WEIGHTS, UrgencyInputs, urgency_score
from plaint.domain.vocabulary import Priority

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


def test_nothing_pressing_is_low() -> None:
    result = urgency_score(UrgencyInputs(now=NOW))
    assert result.score == 0
    assert result.priority is Priority.LOW
    assert [p.name for p in result.parts] == list(WEIGHTS)


def test_everything_at_once_is_urgent_and_capped() -> None:
    result = urgency_score(
        UrgencyInputs(
            now=NOW,
            next_deadline=NOW - timedelta(days=1),
            amount_in_dispute=Decimal("50000"),
            flags=[Flag.LITIGATION, Flag.VULNERABILITY],
            sentiment=-0.9,
            contacts=9,
        )
    )
    assert result.score == pytest.approx(sum(WEIGHTS.values()))
    assert result.priority is Priority.URGENT
    assert all(p.points == p.weight for p in result.parts)


def test_breakdown_adds_up_and_moves_with_each_input() -> None:
    base = UrgencyInputs(now=NOW, next_deadline=NOW + timedelta(days=14))
    near = UrgencyInputs(now=NOW, next_deadline=NOW + timedelta(days=2))
    assert urgency_score(near).score > urgency_score(base).score
    result = urgency_score(
        UrgencyInputs(now=NOW, amount_in_dispute=Decimal("500"), flags=[Flag.HARASSMENT])
    )
    assert result.score == pytest.approx(sum(result.breakdown().values()), abs=0.05)
    assert result.breakdown()["legal_risk"] == WEIGHTS["legal_risk"] / 2
    assert 0 < result.breakdown()["amount"] < WEIGHTS["amount"]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(DomainError, match="timezone-aware"):
        urgency_score(UrgencyInputs(now=NOW, next_deadline=datetime(2026, 3, 3)))
    with pytest.raises(DomainError, match="between -1 and 1"):
        urgency_score(UrgencyInputs(now=NOW, sentiment=-2))
    with pytest.raises(DomainError, match="negative"):
        urgency_score(UrgencyInputs(now=NOW, contacts=-1))
