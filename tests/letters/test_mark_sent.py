"""letter_mark_sent on real cases: one `letter_sent` event (and the milestone the letter
represents), visible to the customer only for the business's letters; every refusal
names its field and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.domain import events as ev
from plaint.domain import timeline
from plaint.domain.errors import FieldErrors
from plaint.domain.vocabulary import DeliveryMethod, choices
from plaint.letters import store
from plaint.letters.selectors import case_letter, case_letters, case_letters_sent
from plaint.letters.services import letter_generate, letter_mark_sent
from tests.conftest import NOW, open_case
from tests.letters.records import folder_with_gap

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}
SENT = NOW - timedelta(hours=2)
LATER = NOW + timedelta(hours=1)
FCA_GAP = {
    "letter.outcome": "reject",
    "letter.findings": "No error.",
    "letter.reasons": "Correct.",
    "letter.fos_time_limit_case": "no_waiver_six_months",
}


def events(case: Case) -> list[tuple[int, str]]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", "kind"))


def acknowledgement(case: Case, user: User, **kwargs: object) -> int:
    done = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(user), now=NOW, fields=ADDRESS,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip
    return done.event.seq


def mark(case: Case, seq: int, user: User, **overrides: object) -> CaseEvent:
    values: dict[str, object] = {
        "method": "post",
        "sent_at": SENT,
        "actor": Actor.staff(user),
        "now": LATER,
    }
    values.update(overrides)
    return letter_mark_sent(case=case, seq=seq, **values)  # type: ignore[arg-type]


def refused(case: Case, seq: int, user: User, **overrides: object) -> dict[str, str]:
    before = events(case)
    with pytest.raises(FieldErrors) as caught:
        mark(case, seq, user, **overrides)
    assert events(case) == before, "a refusal wrote something"
    return caught.value.errors


@pytest.mark.parametrize("method", [m.value for m in DeliveryMethod])
def test_each_method_records_one_sent_event(case: Case, agent: User, method: str) -> None:
    seq = acknowledgement(case, agent)
    before = events(case)
    tracking = "RR123456789GB" if DeliveryMethod(method).needs_tracking else ""
    event = mark(case, seq, agent, method=method, tracking_number=tracking)
    added = events(case)[len(before) :]
    # the letter_sent event, then the acknowledgement_sent milestone it represents, then
    # the received case moves to acknowledged
    assert [kind for _, kind in added] == ["letter_sent", "milestone_recorded", "status_changed"]
    assert event.kind == "letter_sent" and event.visibility == "customer"
    assert event.occurred_at == SENT and event.recorded_at == LATER
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    kept = case_letter(case=case, seq=seq)
    assert payload == ev.LetterSent(
        letter_seq=seq,
        letter="acknowledgement",
        title=kept.payload.title,
        method=method,
        tracking_number=tracking,
        sent_at=SENT.isoformat(),
        file_sha256=kept.payload.files["pdf"],
    )
    assert kept.sent is not None and kept.sent.event.pk == event.pk
    assert kept.sent.method is DeliveryMethod(method) and kept.sent.sent_at == SENT
    assert kept.sent.tracking_number == tracking
    assert ledger_verify(reference=case.reference).ok


def test_a_letter_with_no_milestone_writes_one_event_kept_internal(case: Case, agent: User) -> None:
    done = letter_generate(
        case=case, kind="escalation", actor=Actor.customer("Dana Whitfield"), now=NOW,
        fields={**ADDRESS, "case.occurred_on": "2026-02-03"}, formats=("md", "html"),
    )  # fmt: skip
    before = events(case)
    event = mark(case, done.event.seq, agent, method="email", tracking_number=" msg-42 ")
    assert events(case) == [*before, (event.seq, "letter_sent")]
    # the customer's own letter: their timeline does not show the business's record of it
    assert event.visibility == "internal"
    payload = ev.payload_from_json(event.kind, event.clear_payload)
    assert isinstance(payload, ev.LetterSent)
    assert payload.tracking_number == "msg-42"
    assert payload.file_sha256 == done.files["md"]  # no PDF kept: the first file


def test_sent_final_response_records_its_milestone_at_the_sending_time(
    org: Organisation, agent: User
) -> None:
    case = open_case(org, agent, regime="")
    actor = Actor.staff(agent)
    services.case_transition(case=case, to="investigating", actor=actor, now=NOW)
    services.case_offer_record(
        case=case, redress="refund", actor=actor, now=NOW, amount=Decimal("84.20"),
        currency="GBP", description="the duplicate charge",
    )  # fmt: skip
    done = letter_generate(
        case=case, kind="final-response", actor=actor, now=NOW,
        fields={"letter.outcome": "offer", "letter.findings": "The charge ran twice."},
    )  # fmt: skip
    sent = mark(case, done.event.seq, agent, method="recorded_delivery", tracking_number="RR1GB")
    milestone = CaseEvent.objects.get(case=case, seq=sent.seq + 1)
    payload = ev.payload_from_json(milestone.kind, milestone.clear_payload)
    assert isinstance(payload, ev.MilestoneRecorded)
    assert payload.milestone == "final_response_sent" and payload.at == SENT.isoformat()
    assert "recorded delivery" in payload.note and "RR1GB" in payload.note
    assert milestone.occurred_at == SENT
    assert [k.event.seq for k in case_letters_sent(case=case)] == [done.event.seq]


def test_generate_with_sent_at_goes_through_the_same_path(case: Case, agent: User) -> None:
    done = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW, fields=ADDRESS,
        sent_at=SENT, sent_method="hand",
    )  # fmt: skip
    assert done.sent_event is not None and done.milestone_event is not None
    assert [kind for _, kind in events(case)[-4:]] == [
        "letter_generated",
        "letter_sent",
        "milestone_recorded",
        "status_changed",
    ]
    kept = case_letter(case=case, seq=done.event.seq)
    assert kept.sent is not None and kept.sent.method is DeliveryMethod.HAND
    # the default way is post
    again = acknowledgement(case, agent, sent_at=SENT)
    sent = case_letter(case=case, seq=again).sent
    assert sent is not None and sent.method is DeliveryMethod.POST


def test_generate_refuses_a_bad_sending_before_keeping_anything(case: Case, agent: User) -> None:
    before = events(case)
    with pytest.raises(FieldErrors) as caught:
        acknowledgement(case, agent, sent_at=SENT, sent_method="recorded_delivery")
    assert set(caught.value.errors) == {"tracking_number"}
    with pytest.raises(FieldErrors) as caught:
        acknowledgement(case, agent, sent_at=NOW + timedelta(minutes=1))
    assert set(caught.value.errors) == {"sent_at"}
    assert events(case) == before
    assert not store.root().exists() or not any(store.root().rglob("*"))


def test_a_letter_still_to_complete_is_refused(
    case: Case, agent: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder_with_gap(tmp_path, monkeypatch)
    actor = Actor.staff(agent)
    kept = {
        formats: letter_generate(
            case=case,
            kind="final-response",
            actor=actor,
            now=NOW,
            fields=FCA_GAP,
            formats=formats,
        ).event.seq
        for formats in (("md", "html", "pdf"), ("html",), ("pdf",), ("docx",))
    }
    for formats, seq in kept.items():
        errors = refused(case, seq, agent)
        assert set(errors) == {"seq"}, formats
        assert "TO COMPLETE BEFORE SENDING" in errors["seq"], formats
    # a complete letter kept without a text copy is checked by rendering it again
    for formats in (("pdf",), ("docx",)):
        seq = acknowledgement(case, agent, formats=formats)
        assert mark(case, seq, agent).kind == "letter_sent"


def test_a_letter_is_marked_sent_once(case: Case, agent: User) -> None:
    seq = acknowledgement(case, agent)
    mark(case, seq, agent, method="email")
    errors = refused(case, seq, agent, method="post")
    assert "already marked as sent" in errors["seq"] and "by email" in errors["seq"]
    generated_sent = acknowledgement(case, agent, sent_at=SENT)
    assert "already" in refused(case, generated_sent, agent)["seq"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sent_at": LATER + timedelta(minutes=1)}, "sent_at"),
        ({"sent_at": datetime(2026, 3, 2, 9, 0)}, "sent_at"),  # naive on purpose
        ({"now": datetime(2026, 3, 2, 12, 0)}, "now"),
        ({"method": "recorded_delivery"}, "tracking_number"),
        ({"method": "recorded_delivery", "tracking_number": "   "}, "tracking_number"),
        ({"tracking_number": "X" * 65}, "tracking_number"),
        ({"tracking_number": "RR1\nGB"}, "tracking_number"),
        ({"method": "carrier pigeon"}, "method"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    case: Case, agent: User, overrides: dict[str, object], field: str
) -> None:
    seq = acknowledgement(case, agent)
    assert field in refused(case, seq, agent, **overrides)
    assert case_letter(case=case, seq=seq).sent is None


def test_a_tracking_number_of_64_characters_is_kept(case: Case, agent: User) -> None:
    seq = acknowledgement(case, agent)
    mark(case, seq, agent, method="recorded_delivery", tracking_number="9" * 64)
    sent = case_letter(case=case, seq=seq).sent
    assert sent is not None and sent.tracking_number == "9" * 64


def test_only_this_cases_letters_can_be_marked(
    org: Organisation, other_org: Organisation, agent: User, outsider: User
) -> None:
    mine = open_case(org, agent)
    my_letter = acknowledgement(mine, agent)
    # Another case of the organisation, and a case of another organisation, each with more
    # events than mine, so that their letters' numbers lie beyond my case's ledger.
    neighbour = open_case(org, agent)
    foreign = open_case(other_org, outsider)
    theirs = {}
    for other, user in ((neighbour, agent), (foreign, outsider)):
        for _ in range(3):
            services.case_note_add(case=other, text="padding", actor=Actor.staff(user), now=NOW)
        theirs[other.pk] = acknowledgement(other, user)
    assert all(seq > my_letter for seq in theirs.values())
    for seq in theirs.values():
        assert "has no kept letter" in refused(mine, seq, agent)["seq"]
    # an event of my case that is not a letter, and a number no event has
    assert "has no kept letter" in refused(mine, 1, agent)["seq"]
    assert "has no kept letter" in refused(mine, 9999, agent)["seq"]
    for other in (neighbour, foreign):
        assert case_letters_sent(case=other) == []
    assert case_letters_sent(case=mine) == []


def test_case_letters_carry_their_sent_record(case: Case, agent: User) -> None:
    first = acknowledgement(case, agent)
    # another letter (the same letter from the same inputs would be the same draft)
    second = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=NOW,
        fields={**ADDRESS, "business.address": "9 Other Road\nLondon"},
    ).event.seq  # fmt: skip
    mark(case, second, agent, method="recorded_delivery", tracking_number="RR9GB")
    kept = {k.event.seq: k for k in case_letters(case=case)}
    assert kept[first].sent is None
    sent = kept[second].sent
    assert sent is not None and sent.method_words == "by recorded delivery"
    assert [k.event.seq for k in case_letters_sent(case=case)] == [second]


def test_timeline_wording() -> None:
    payload = ev.LetterSent(
        letter_seq=7,
        letter="final-response",
        title="Final response",
        method="recorded_delivery",
        tracking_number="RR123456789GB",
        sent_at=datetime(2026, 3, 2, 16, 5, tzinfo=UTC).isoformat(),
        file_sha256="ab" * 32,
    )
    assert timeline.describe(payload) == (
        "Final response sent by recorded delivery on 02 Mar 2026 16:05."
    )
    assert timeline.detail(payload) == "Tracking number RR123456789GB"
    portal = ev.LetterSent(**{**payload.__dict__, "method": "portal", "tracking_number": ""})
    assert "sent through the customer portal on" in timeline.describe(portal)
    assert timeline.detail(portal) == ""
    assert ev.payload_from_json(payload.kind, payload.to_json()) == payload


def test_delivery_methods_have_labels() -> None:
    assert choices(DeliveryMethod) == [
        ("post", "Post"),
        ("recorded_delivery", "Recorded delivery"),
        ("certified_mail", "Certified mail, return receipt"),
        ("courier", "Courier"),
        ("email", "Email"),
        ("hand", "By hand"),
        ("portal", "Customer portal"),
    ]
    assert [m.value for m in DeliveryMethod if m.needs_tracking] == [
        "recorded_delivery",
        "certified_mail",
        "courier",
    ]


def test_a_letter_kept_without_text_is_not_trusted_once_the_templates_change(
    case: Case, agent: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plaint.config import appsettings

    seq = acknowledgement(case, agent, formats=("pdf",))
    (tmp_path / "acknowledgement.md").write_text(
        '{% extends "_layout.md" %}{% block body %}Other wording.{% endblock %}'
    )
    monkeypatch.setattr(
        appsettings,
        "APP",
        appsettings.AppSettings.from_env({"PLAINT_LETTER_TEMPLATES_DIR": str(tmp_path)}),
    )
    assert "cannot be checked" in refused(case, seq, agent)["seq"]
