"""Marking the acknowledgement letter sent acknowledges a received case: the letter_sent
event and a status_changed event (through the transition service) in one transaction. A
case that cannot move to acknowledged keeps its status; only the letter is marked sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain.errors import FieldErrors
from plaint.letters.services import letter_generate, letter_mark_sent
from tests.conftest import NOW

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}
SENT = NOW - timedelta(hours=2)
LATER = NOW + timedelta(hours=1)


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def _kept(case: Case, agent, kind: str = "acknowledgement", **fields: str) -> int:
    done = letter_generate(
        case=case, kind=kind, actor=Actor.staff(agent), now=NOW, fields={**ADDRESS, **fields}
    )
    return done.event.seq


def _added(case: Case, after: int) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, seq__gt=after).order_by("seq"))


def _mark(case: Case, seq: int, agent, **overrides: object) -> CaseEvent:
    values: dict[str, object] = {"method": "post", "sent_at": SENT, "now": LATER}
    values.update(overrides)
    return letter_mark_sent(case=case, seq=seq, actor=Actor.staff(agent), **values)  # type: ignore[arg-type]


def test_sending_the_acknowledgement_acknowledges_a_received_case(case: Case, agent) -> None:
    seq = _kept(case, agent)
    _mark(case, seq, agent)
    added = _added(case, seq)
    assert [e.kind for e in added] == ["letter_sent", "milestone_recorded", "status_changed"]
    status = ev.payload_from_json(added[-1].kind, added[-1].clear_payload)
    assert isinstance(status, ev.StatusChanged)
    assert (status.from_status, status.to_status) == ("received", "acknowledged")
    assert status.reason == f"Acknowledgement of a complaint (letter #{seq}) sent by post."
    assert added[-1].visibility == "customer" and added[-1].recorded_at == LATER
    case.refresh_from_db()
    assert case.status == "acknowledged"
    assert ledger_verify(reference=case.reference).ok


def test_a_case_past_acknowledgement_keeps_its_status(case: Case, agent) -> None:
    services.case_transition(case=case, to="investigating", actor=Actor.staff(agent), now=NOW)
    seq = _kept(case, agent)
    _mark(case, seq, agent)
    assert [e.kind for e in _added(case, seq)] == ["letter_sent", "milestone_recorded"]
    case.refresh_from_db()
    assert case.status == "investigating"


def test_another_letter_does_not_move_the_case(case: Case, agent) -> None:
    seq = _kept(
        case, agent, kind="holding-response", **{
            "letter.progress": "We have asked the billing team for the February run.",
            "letter.expected_by": "2026-03-20",
            "letter.delay_reason": "The billing team needs the supplier's records.",
        },
    )  # fmt: skip
    _mark(case, seq, agent)
    assert "status_changed" not in [e.kind for e in _added(case, seq)]
    case.refresh_from_db()
    assert case.status == "received"


def test_a_refused_mark_sent_moves_nothing(case: Case, agent) -> None:
    seq = _kept(case, agent)
    with pytest.raises(FieldErrors):
        _mark(case, seq, agent, sent_at=LATER + timedelta(days=1))
    assert _added(case, seq) == []
    case.refresh_from_db()
    assert case.status == "received"


def test_generated_and_sent_at_once_acknowledges_too(case: Case, agent) -> None:
    done = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, fields=ADDRESS,
        sent_at=SENT, sent_method="email",
    )  # fmt: skip
    assert [e.kind for e in _added(case, done.event.seq)] == [
        "letter_sent",
        "milestone_recorded",
        "status_changed",
    ]
    case.refresh_from_db()
    assert case.status == "acknowledged"


def test_the_desk_form_acknowledges_the_case(as_agent: Client, case: Case, agent) -> None:
    seq = _kept(case, agent)
    response = as_agent.post(
        f"/cases/{case.reference}/letters/{seq}/sent/",
        {"sent_at": "2026-03-01T16:00", "method": "post"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "acknowledged"
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "Status changed from Received to Acknowledged." in page
