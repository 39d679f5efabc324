"""Cease-and-desist received, the reviewer's checklist, contact restrictions and FOS
eligibility, through the real services and database."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from plaint.accounts.models import Organisation, User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent, Evidence
from plaint.disputes import selectors, services
from plaint.disputes.models import ContactRestriction, Dispute, FosEligibility
from plaint.domain.disputes.referrals import UnknownReferralRegime, WindowState
from plaint.domain.errors import DomainError, FieldErrors
from plaint.triage.models import TriageRecord
from plaint.triage.selectors import legal_review_queue
from tests.conftest import NOW, open_case

TODAY = NOW.date()  # Monday 2 March 2026 (the organisation is in London: same day)


def _events(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def _log(case: Case, user: User, **overrides: object) -> Dispute:
    fields: dict[str, object] = {
        "case": case,
        "sender": "Grey & Co Solicitors",
        "on_behalf_of": "Dana Whitfield",
        "demands": "Stop calling our client about the February bill.",
        "letter_date": date(2026, 2, 26),
        "their_reference": "GC/441",
        "actor": Actor.staff(user),
        "now": NOW,
    }
    fields.update(overrides)
    return services.dispute_log(**fields)  # type: ignore[arg-type]


def test_logging_a_letter_keeps_it_as_evidence_flags_legal_review_and_sets_its_deadline(
    case: Case, agent: User
) -> None:
    before = _events(case)
    letter = services.LetterFile("letter.pdf", io.BytesIO(b"%PDF-1.4 scan"), "application/pdf")
    dispute = _log(case, agent, deadline=date(2026, 3, 12), letter=letter)
    assert _events(case)[len(before) :] == [
        "evidence_attached",
        "dispute_logged",
        "legal_review_requested",
        "deadline_set",  # the reply deadline, a clock on the case
    ]
    assert dispute.deadline == date(2026, 3, 12)
    assert dispute.deadline_source == Dispute.DeadlineSource.LETTER
    assert dispute.evidence is not None
    assert Evidence.objects.get(pk=dispute.evidence.pk).filename == "letter.pdf"
    assert [r.case_id for r in legal_review_queue(organisation=case.organisation)] == [case.pk]
    report = ledger_verify(reference=case.reference)
    assert report.events == len(_events(case)) and not report.broken


def test_no_deadline_in_the_letter_takes_the_policy_default(case: Case, agent: User) -> None:
    dispute = _log(case, agent)
    # Letter of Thu 26 Feb 2026 + 14 days = Thu 12 Mar 2026.
    assert (dispute.deadline, dispute.deadline_source) == (date(2026, 3, 12), "policy")
    assert [d.pk for d in selectors.disputes_due(organisation=case.organisation, today=TODAY)] == [
        dispute.pk
    ]
    later = selectors.disputes_due(organisation=case.organisation, today=TODAY, within_days=3)
    assert list(later) == []


def test_a_case_already_waiting_for_legal_review_is_not_sent_twice(case: Case, agent: User) -> None:
    _log(case, agent)
    _log(case, agent, sender="Another Firm LLP")
    assert _events(case).count("legal_review_requested") == 1
    assert TriageRecord.objects.get(case=case).legal_review == "pending"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"sender": ""}, "sender", "is required"),
        ({"demands": "   "}, "demands", "is required"),
        ({"letter_date": None}, "letter_date", "is required"),
        ({"letter_date": date(2026, 3, 3)}, "letter_date", "after today"),
        ({"deadline": date(2026, 2, 25)}, "deadline", "before the letter's own date"),
        ({"sender": "Grey\nBcc: x@example.org"}, "sender", "line break"),
        ({"sender": "Grey \u202eoC"}, "sender", "text-direction"),
        ({"sender": "<script>alert(1)</script>"}, "sender", "markup"),
        ({"demands": "Stop\x00"}, "demands", "NUL"),
    ],
)
def test_bad_input_is_refused_with_nothing_written(
    case: Case, agent: User, overrides: dict[str, object], field: str, message: str
) -> None:
    before = _events(case)
    with pytest.raises(FieldErrors) as caught:
        _log(case, agent, **overrides)
    assert message in caught.value.errors[field]
    assert _events(case) == before
    assert not Dispute.objects.exists() and not TriageRecord.objects.exists()


def test_template_syntax_in_free_text_is_kept_as_text(case: Case, agent: User) -> None:
    dispute = _log(case, agent, demands="Stop {{ 7*7 }} <b>now</b>")
    assert dispute.demands == "Stop {{ 7*7 }} <b>now</b>"


def test_the_checklist_writes_one_event_per_item(case: Case, agent: User, reviewer: User) -> None:
    dispute = _log(case, agent)
    by = Actor.staff(reviewer)
    services.dispute_authority_record(dispute=dispute, status="requested", actor=by, now=NOW)
    services.dispute_conduct_identify(
        dispute=dispute,
        conduct="Four calls in one week to the customer's mobile.",
        actor=by,
        now=NOW,
    )
    with pytest.raises(DomainError, match="Record the investigation"):
        services.dispute_decide(dispute=dispute, decision="comply", reasons="x", actor=by, now=NOW)
    services.dispute_investigation_record(
        dispute=dispute,
        investigator="Lee Gal",
        records_checked=["call log Feb 2026", "account notes", ""],
        findings="Four outbound calls on 16-20 Feb; no note of a request to stop.",
        actor=by,
        now=NOW,
    )
    with pytest.raises(DomainError, match="does not allow"):
        services.dispute_decide(
            dispute=dispute, decision="comply", reasons="x", actor=Actor.staff(agent), now=NOW
        )
    services.dispute_decide(
        dispute=dispute,
        decision="comply_in_part",
        reasons="Calls stop; letters continue.",
        actor=by,
        now=NOW,
    )
    dispute.refresh_from_db()
    assert (dispute.authority, dispute.decision) == ("requested", "comply_in_part")
    assert dispute.records_checked == ["call log Feb 2026", "account notes"]
    assert _events(case)[-4:] == [
        "dispute_authority_recorded",
        "dispute_conduct_identified",
        "dispute_investigated",
        "dispute_decided",
    ]


def test_checklist_bad_input(case: Case, agent: User, reviewer: User) -> None:
    dispute = _log(case, agent)
    by = Actor.staff(reviewer)
    with pytest.raises(FieldErrors, match="status"):
        services.dispute_authority_record(dispute=dispute, status="maybe", actor=by, now=NOW)
    with pytest.raises(FieldErrors, match="records_checked"):
        services.dispute_investigation_record(
            dispute=dispute, investigator="Lee", records_checked=[], findings="x", actor=by, now=NOW
        )
    with pytest.raises(FieldErrors, match="decision"):
        services.dispute_decide(dispute=dispute, decision="ignore", reasons="x", actor=by, now=NOW)


def test_restrictions_forbid_channels_and_contradictions_are_refused(
    case: Case, agent: User
) -> None:
    by = Actor.staff(agent)
    dispute = _log(case, agent)
    services.restriction_add(case=case, kind="writing_only", dispute=dispute, actor=by, now=NOW)
    hits = selectors.restriction_check(case=case, channel="phone", now=NOW)
    assert [h.restriction.kind for h in hits] == ["writing_only"]
    assert selectors.restriction_check(case=case, channel="email", now=NOW) == []
    before = _events(case)
    with pytest.raises(FieldErrors) as caught:
        services.restriction_add(case=case, kind="phone_only", actor=by, now=NOW)
    assert "leave no channel" in caught.value.errors["kind"]
    with pytest.raises(FieldErrors, match="already in force"):
        services.restriction_add(case=case, kind="writing_only", actor=by, now=NOW)
    with pytest.raises(FieldErrors, match="not one of"):
        services.restriction_add(case=case, kind="no_owls", actor=by, now=NOW)
    assert _events(case) == before and ContactRestriction.objects.count() == 1
    # Lifted: the phone is allowed again from that moment, not before.
    row = ContactRestriction.objects.get()
    later = NOW + timedelta(hours=1)
    services.restriction_lift(
        restriction=row, reason="Customer asked for calls again.", actor=by, now=later
    )
    assert selectors.restriction_check(case=case, channel="phone", now=later) == []
    assert selectors.restriction_check(case=case, channel="phone", now=NOW)
    services.restriction_add(case=case, kind="phone_only", actor=by, now=later)
    assert _events(case)[-2:] == ["contact_restriction_lifted", "contact_restriction_added"]


def test_restriction_check_is_scoped_to_the_case(
    case: Case, org: Organisation, agent: User
) -> None:
    services.restriction_add(case=case, kind="stop_calling", actor=Actor.staff(agent), now=NOW)
    other = open_case(org, agent, description="Another complaint.")
    assert selectors.restriction_check(case=other, channel="phone", now=NOW) == []
    with pytest.raises(DomainError, match="not a contact channel"):
        selectors.restriction_check(case=case, channel="pigeon", now=NOW)


def test_fos_eligibility_is_recorded_for_an_fca_case(case: Case, agent: User) -> None:
    row = services.fos_eligibility_record(
        case=case,
        answers={"complainant": "charity", "annual_income": "120000"},
        actor=Actor.staff(agent),
        now=NOW,
    )
    assert row.eligible and _events(case)[-1] == "fos_eligibility_recorded"
    before = _events(case)
    with pytest.raises(FieldErrors):
        services.fos_eligibility_record(
            case=case,
            answers={"complainant": "charity", "annual_income": "-1"},
            actor=Actor.staff(agent),
            now=NOW,
        )
    assert _events(case) == before
    assert FosEligibility.objects.get().answers == {
        "complainant": "charity",
        "annual_income": "120000.00",  # read by money_parse, written to the cent,
    }


def test_no_referral_for_a_regime_without_one(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, regime="UK-CRA-GOODS")
    before = _events(case)
    with pytest.raises(UnknownReferralRegime):
        services.fos_eligibility_record(
            case=case, answers={"complainant": "consumer"}, actor=Actor.staff(agent), now=NOW
        )
    assert _events(case) == before
    assert selectors.referral_option_or_none(case=case, today=TODAY) is None


def test_the_referral_option_reads_the_case_milestones(case: Case, agent: User) -> None:
    # Received Sun 1 Mar 2026: 8 weeks later is Sun 26 Apr 2026.
    window = selectors.referral_option(case=case, today=TODAY)
    assert (window.opens_on, window.state) == (date(2026, 4, 26), WindowState.NOT_YET)
    case_services.case_milestone_record(
        case=case, milestone="final_response_sent", at=NOW, actor=Actor.staff(agent), now=NOW
    )
    window = selectors.referral_option(case=case, today=TODAY)
    assert (window.opens_on, window.closes_on, window.state) == (
        TODAY,
        date(2026, 9, 2),
        WindowState.OPEN,
    )
