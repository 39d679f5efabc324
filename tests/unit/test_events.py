import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from plaint.domain import events as ev
from plaint.domain import events_termination as tev
from plaint.domain import timeline
from plaint.domain.errors import DomainError
from plaint.domain.events_consumer import (
    ConsumerAnswersSaved,
    ConsumerCaseStarted,
    ConsumerReminderSent,
)


def test_every_kind_has_one_payload_type() -> None:
    assert set(ev.PAYLOAD_TYPES) == set(ev.EventKind)
    for kind, cls in ev.PAYLOAD_TYPES.items():
        assert cls.kind is kind
        assert dataclasses.is_dataclass(cls)


from tests.records.samples import RECORDS_SAMPLES  # noqa: E402 - the records part's payloads

SAMPLES: list[ev.Payload] = [
    ev.CaseOpened(
        reference="PL-2026-000001",
        status="received",
        channel="web",
        received_at="2026-03-01T09:00:00+00:00",
        customer_name="Zoë 'Z' <b>",
        amount_in_dispute="10.00",
        currency="GBP",
        source_details={"state": "FL"},
    ),
    ev.ContactLogged(
        contact_id=1,
        contact_at="2026-03-02T10:00:00+00:00",
        channel="phone",
        direction="inbound",
        representative="Raj",
        ticket_number="T-1",
        wait_minutes=42,
        summary="Promised a call back",
    ),
    ev.NoteAdded(text="{{ 7*7 }} <script>alert(1)</script>"),
    ev.EvidenceAttached(
        evidence_id=3,
        sha256="ab" * 32,
        filename="bill.pdf",
        content_type="application/pdf",
        size=1234,
    ),
    ev.CaseAssigned(
        assignee_id=2, assignee_name="Alice", previous_assignee_id=None, previous_assignee_name=""
    ),
    ev.StatusChanged(from_status="received", to_status="acknowledged", reason="ack sent"),
    ev.ResolutionOffered(
        offer_id=1,
        redress="refund",
        amount="84.20",
        currency="GBP",
        description="",
        from_status="investigating",
        to_status="resolution_proposed",
    ),
    ev.ResolutionAnswered(
        offer_id=1,
        accepted=False,
        comment="Too little",
        from_status="resolution_proposed",
        to_status="investigating",
    ),
    ev.PriorityChanged(from_priority="normal", to_priority="urgent", reason="deadline missed"),
    ev.MilestoneRecorded(milestone="goods_delivered", at="2026-03-01T09:00:00+00:00"),
    ev.DeadlineSet(
        key="UK-FCA-DISP/final-response",
        title="Final response",
        party="business",
        due_at="2026-04-28T00:00:00+01:00",
        previous_due_at=None,
        reason="derived",
        rule_version="2026-11-23.1",
        verification="primary",
    ),
    ev.DeadlineMet(
        key="HOUSE/acknowledge",
        title="Acknowledge",
        met_at="2026-03-03T10:00:00+00:00",
        due_at="2026-03-04T17:00:00+00:00",
        on_time=True,
    ),
    ev.DeadlineReminder(
        key="HOUSE/respond",
        title="Respond",
        due_at="2026-03-30T17:00:00+01:00",
        notified=["alice@example.org"],
    ),
    ev.DeadlineBreached(
        key="HOUSE/respond",
        title="Respond",
        due_at="2026-03-30T17:00:00+01:00",
        escalated=True,
        notified=["sue@example.org"],
    ),
    ev.CaseClosed(
        outcome="upheld", root_cause="Duplicate billing run", summary="", from_status="resolved"
    ),
    ev.TriageSuggested(
        model="cfpb-default@0a1b2c3d",
        taxonomy="cfpb",
        labels={"product": "Debt collection", "issue": "Communication tactics"},
        confidences={"product": "0.91", "issue": "0.42"},
        needs_human_triage=False,
        flags={"litigation": ["I will sue"], "harassment": ["calling me at work"]},
        urgency="57.5",
        urgency_parts={"deadline": "15.0", "legal_risk": "20.0"},
        priority="high",
        sentiment="-0.41",
        similar=["AC-2025-000017"],
    ),
    ev.TriageConfirmed(
        labels={"product": "Debt collection", "issue": "False statements or representation"},
        corrected={"issue": "Communication tactics"},
    ),
    ev.LegalReviewRequested(flags={"litigation": ["I will sue"]}),
    ev.LegalReviewCleared(flags=["litigation"], note="No claim; customer wants a refund."),
    ev.LetterGenerated(
        letter="escalation",
        title="Escalation letter",
        template_version="2026-11-23.1",
        template_sha256="ab" * 32,
        subject="Urgent: escalation required for order #12345",
        files={"md": "cd" * 32, "pdf": "ef" * 32},
        fields={"customer.name": "Zoë {{ 7*7 }}", "contacts": [{"channel": "phone"}]},
        warnings=["Unverified source"],
    ),
    ev.LetterSent(
        letter_seq=5,
        letter="final-response",
        title="Final response",
        method="recorded_delivery",
        tracking_number="RR123456789GB",
        sent_at="2026-03-02T16:05:00+00:00",
        file_sha256="ab" * 32,
    ),
    ev.LetterWithdrawn(
        letter_seq=5,
        letter="final-response",
        title="Final response",
        reason="Made twice by mistake {{ 7*7 }}",
    ),
    # termination
    tev.TerminationProposed(
        termination_id=1, reason="abuse", facts="<b>x</b>", cases=["AC-1"], evidence=[2]
    ),
    tev.TerminationAlternativeRecorded(
        termination_id=1, alternative="payment_plan", outcome="did_not_work"
    ),
    tev.TerminationChecked(
        termination_id=1,
        contract_clause="Clause 9",
        product="energy",
        vulnerable=True,
        vulnerability_steps="More time",
        open_cases=[],
        legal_risk_flags=["litigation"],
    ),
    tev.TerminationLegalSignedOff(termination_id=1, note="ok"),
    tev.TerminationDecided(termination_id=1, approved=True, reasons="Safety"),
    tev.TerminationNoticeIssued(
        termination_id=1,
        notice_on="2026-03-02",
        effective_on="2026-05-02",
        rules=["UK-PSRS-2017-REG51 2026-12-01.1"],
        alternatives_offered=["Another provider"],
        letter_case="AC-1",
        letter_seq=7,
    ),
    tev.TerminationReversed(termination_id=1, reason="Apologised"),
    tev.TerminationAppealed(termination_id=1, grounds="{{ 7*7 }}"),
    tev.TerminationAppealReviewed(termination_id=1, upheld=False, note="Stands"),
    tev.TerminationTookEffect(
        termination_id=1, effective_on="2026-05-02", tasks=["reaction", "practice_review"]
    ),
    tev.TerminationTaskDone(termination_id=1, task="practice_review", outcome="Training"),
    tev.ReviewLinked(
        review_id=1, source="trustpilot", rating=1, posted_at="2026-03-02", why="names_reference"
    ),
    # disputes
    ev.DisputeLogged(
        dispute_id=1,
        sender="Grey & Co <script>",
        on_behalf_of="Dana",
        demands="Stop calling {{ 7*7 }}",
        their_reference="GC/1",
        letter_date="2026-02-26",
        deadline="2026-03-12",
        deadline_source="policy",
        evidence_id=3,
    ),
    ev.DisputeAuthorityRecorded(dispute_id=1, status="requested", letter_seq=7),
    ev.DisputeConductIdentified(dispute_id=1, conduct="Four calls"),
    ev.DisputeInvestigated(
        dispute_id=1, investigator="Lee", records_checked=["call log"], findings="Four calls"
    ),
    ev.DisputeDecided(dispute_id=1, decision="comply_in_part", reasons="Calls stop"),
    ev.ContactRestrictionAdded(restriction_id=1, restriction="writing_only", dispute_id=1),
    ev.ContactRestrictionLifted(restriction_id=1, restriction="writing_only", reason="Asked"),
    ev.FosEligibilityRecorded(
        answers={"complainant": "consumer"},
        eligible=True,
        reasons=["a consumer"],
        rules_version="2026-12-01.1",
    ),
    ev.CeaseDesistSent(
        sent_id=1,
        sent_on="2026-02-16",
        method="recorded_delivery",
        tracking_number="RR1",
        comply_by="2026-03-02",
        conduct="Calls",
    ),
    ev.CeaseDesistOutcome(sent_id=1, stopped=False, note="Called again"),
    # records
    *RECORDS_SAMPLES,
    # consumer
    ConsumerCaseStarted(title="Boiler <script>", jurisdiction="GB", time_zone="Europe/London"),
    ConsumerAnswersSaved(answers={"case.amount": "84.20"}, conduct_continues=True),
    ConsumerReminderSent(
        dates=[{"uid": "u-1", "day": "2026-03-16", "lead_days": 3, "title": "Reply due"}]
    ),
    # mail
    ev.MessageQueued(
        message_pk=1,
        message_id="<PL-2026-000001.ab12@desk.example>",
        to="dana@example.org",
        subject="About your bill {{ 7*7 }}",
        text="We are looking into it.",
        automatic=False,
        purpose="reply",
        attachments=["letter.pdf"],
    ),
    ev.MessageDelivery(
        message_pk=1,
        message_id="<PL-2026-000001.ab12@desk.example>",
        outcome="sent",
        reply="250 2.0.0 Ok",
        at="2026-03-02T10:31:00+00:00",
    ),
    ev.MessageReceived(
        message_pk=2,
        message_id="<r1@mail.example.org>",
        sender="dana@example.org",
        subject="Re: About your bill",
        text="I accept.",
        raw_sha256="0" * 64,
        evidence_ids=[3],
    ),
]


def test_samples_cover_the_vocabulary() -> None:
    assert {p.kind for p in SAMPLES} == set(ev.EventKind)


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.kind.value)
def test_round_trip_and_description(payload: ev.Payload) -> None:
    text = payload.to_json()
    assert ev.payload_from_json(payload.kind, text) == payload
    assert " " not in text.split('"')[0]  # compact
    sentence = timeline.describe(payload)
    assert sentence.endswith(".") and len(sentence) > 5


def test_canonical_json_types() -> None:
    assert ev.canonical_json({"b": Decimal("1.50"), "a": date(2026, 1, 2)}) == (
        '{"a":"2026-01-02","b":"1.50"}'
    )
    assert ev.canonical_json({"x": "é"}) == '{"x":"é"}'
    with pytest.raises(TypeError):
        ev.canonical_json({"x": object()})


def test_unknown_kind() -> None:
    with pytest.raises(DomainError, match="Unknown event kind"):
        ev.payload_from_json("case_teleported", "{}")


def test_descriptions() -> None:
    contact = SAMPLES[1]
    assert timeline.describe(contact) == (
        "Inbound phone contact with Raj (ticket T-1); waited 42 min."
    )
    assert timeline.detail(contact) == "Promised a call back"
    assert timeline.describe(SAMPLES[6]) == "Offered refund of GBP 84.20."
    assert timeline.detail(SAMPLES[0]) == ""
