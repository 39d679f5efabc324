"""Drafts of letters: generating the same letter twice (a double click) keeps one draft;
a draft can be withdrawn (an event, never a deletion), after which it cannot be marked as
sent, and the desk shows it struck through with who withdrew it and why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain.errors import FieldErrors
from plaint.letters.selectors import case_letter, case_letters
from plaint.letters.services import letter_generate, letter_mark_sent, letter_withdraw
from tests.conftest import NOW

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}
LATER = NOW + timedelta(minutes=1)


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def _generate(case: Case, agent, now=NOW, **fields: str):  # type: ignore[no-untyped-def]
    return letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=now,
        fields={**ADDRESS, **fields}, formats=("md", "html"),
    )  # fmt: skip


def _count(case: Case) -> int:
    return CaseEvent.objects.filter(case=case).count()


def test_the_same_letter_twice_keeps_one_draft(case: Case, agent) -> None:
    first = _generate(case, agent)
    before = _count(case)
    second = _generate(case, agent, now=LATER)
    assert second.reused and not first.reused
    assert second.event.seq == first.event.seq and second.files == first.files
    assert _count(case) == before
    assert len(case_letters(case=case)) == 1


def test_other_inputs_make_another_draft(case: Case, agent) -> None:
    first = _generate(case, agent)
    other = _generate(case, agent, **{"business.address": "9 Other Road\nLondon"})
    assert not other.reused and other.event.seq != first.event.seq
    # A draft from another day holds another date: another letter.
    next_day = _generate(case, agent, now=NOW + timedelta(days=1))
    assert not next_day.reused
    assert len(case_letters(case=case)) == 3


def test_once_sent_or_withdrawn_the_same_inputs_make_a_new_draft(case: Case, agent) -> None:
    first = _generate(case, agent)
    letter_withdraw(
        case=case, seq=first.event.seq, reason="Made by mistake",
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip
    again = _generate(case, agent)
    assert not again.reused and again.event.seq != first.event.seq
    letter_mark_sent(
        case=case, seq=again.event.seq, method="post", sent_at=NOW,
        actor=Actor.staff(agent), now=NOW,
    )  # fmt: skip
    assert not _generate(case, agent).reused


def test_a_double_click_on_generate_and_send_sends_one_letter(case: Case, agent) -> None:
    draft = _generate(case, agent)
    sent = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=LATER,
        fields=ADDRESS, formats=("md", "html"), sent_at=NOW,
    )  # fmt: skip
    assert sent.reused and sent.event.seq == draft.event.seq
    assert sent.sent_event is not None
    assert case_letter(case=case, seq=draft.event.seq).sent is not None
    assert len(case_letters(case=case)) == 1


def test_withdrawing_records_an_event_and_keeps_the_letter(case: Case, agent) -> None:
    seq = _generate(case, agent).event.seq
    event = letter_withdraw(
        case=case, seq=seq, reason="Superseded by a corrected draft",
        actor=Actor.staff(agent), now=LATER,
    )  # fmt: skip
    assert event.kind == "letter_withdrawn" and event.visibility == "internal"
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert payload == ev.LetterWithdrawn(
        letter_seq=seq,
        letter="acknowledgement",
        title="Acknowledgement of a complaint",
        reason="Superseded by a corrected draft",
    )
    kept = case_letter(case=case, seq=seq)
    assert kept.withdrawn is not None and not kept.is_draft
    assert (kept.withdrawn.by, kept.withdrawn.at) == ("Alice Agent", LATER)
    assert ledger_verify(reference=case.reference).ok


def test_a_withdrawn_letter_cannot_be_marked_sent(case: Case, agent) -> None:
    seq = _generate(case, agent).event.seq
    letter_withdraw(case=case, seq=seq, reason="Made by mistake", actor=Actor.staff(agent), now=NOW)
    before = _count(case)
    with pytest.raises(FieldErrors) as caught:
        letter_mark_sent(
            case=case, seq=seq, method="post", sent_at=NOW, actor=Actor.staff(agent), now=LATER
        )
    assert caught.value.errors == {
        "seq": f"letter #{seq} was withdrawn by Alice Agent on 02 Mar 2026 (Made by mistake); "
        "it cannot be marked as sent"
    }
    assert _count(case) == before


@pytest.mark.parametrize(
    ("reason", "problem"),
    [
        ("  ", {"reason": "is required: say why the draft is withdrawn"}),
        ("x" * 501, {"reason": "is longer than 500 characters (501)"}),
    ],
)
def test_a_withdrawal_needs_a_reason(case: Case, agent, reason: str, problem) -> None:  # type: ignore[no-untyped-def]
    seq = _generate(case, agent).event.seq
    before = _count(case)
    with pytest.raises(FieldErrors) as caught:
        letter_withdraw(case=case, seq=seq, reason=reason, actor=Actor.staff(agent), now=NOW)
    assert caught.value.errors == problem
    assert _count(case) == before


def test_sent_withdrawn_and_unknown_letters_cannot_be_withdrawn(case: Case, agent) -> None:
    actor = Actor.staff(agent)
    seq = _generate(case, agent).event.seq
    letter_mark_sent(case=case, seq=seq, method="post", sent_at=NOW, actor=actor, now=NOW)
    with pytest.raises(FieldErrors, match="a sent letter cannot be withdrawn"):
        letter_withdraw(case=case, seq=seq, reason="Oops", actor=actor, now=NOW)
    other = _generate(case, agent, **{"business.address": "9 Other Road\nLondon"}).event.seq
    letter_withdraw(case=case, seq=other, reason="Oops", actor=actor, now=NOW)
    with pytest.raises(FieldErrors, match=f"letter #{other} was withdrawn by Alice Agent"):
        letter_withdraw(case=case, seq=other, reason="Again", actor=actor, now=NOW)
    with pytest.raises(FieldErrors, match="has no kept letter #999"):
        letter_withdraw(case=case, seq=999, reason="Oops", actor=actor, now=NOW)


def test_the_desk_double_click_and_withdrawal(as_agent: Client, case: Case) -> None:
    url = f"/cases/{case.reference}/letters/"
    data = {
        "kind": "acknowledgement",
        "page_size": "A4",
        **{f"f-{k}": v for k, v in ADDRESS.items()},
    }
    assert as_agent.post(url, data).status_code == 302
    assert as_agent.post(url, data).status_code == 302
    (kept,) = case_letters(case=case)
    seq = kept.event.seq
    refused = as_agent.post(f"{url}{seq}/withdraw/", {"reason": ""})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    done = as_agent.post(f"{url}{seq}/withdraw/", {"reason": "Made twice by mistake"})
    assert done.status_code == 302
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "<del><strong>Acknowledgement of a complaint</strong>" in page
    assert "Withdrawn by Alice Agent on" in page and "Made twice by mistake" in page
    assert f'action="/cases/{case.reference}/letters/{seq}/sent/"' not in page
    assert f'action="/cases/{case.reference}/letters/{seq}/withdraw/"' not in page
    assert f"Letter #{seq} withdrawn before it was sent" in page
