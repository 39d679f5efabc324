"""The reply deadline of a cease-and-desist received is a clock on the case: among its
deadlines (marked as the sender's demand, not a rule of law), in its next due time, watched
for a breach (recorded, never escalating), met when the reply letter is sent and cancelled
when the case is closed. Every date here is counted by hand; the organisation is in
Europe/London (GMT until 29 March 2026, BST after)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from plaint.accounts.models import User
from plaint.cases import services as case_services
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.services import case_deadlines_refresh, deadlines_tick
from plaint.disputes import services
from plaint.disputes.models import Dispute
from plaint.domain import events as ev
from plaint.domain.errors import FieldErrors
from plaint.letters.services import letter_mark_sent
from tests.conftest import NOW

#: The soonest deadline of the fixtures' case (opened Monday 2 March 2026): the house
#: acknowledgement, by close of business (17:00 GMT) the next business day.
ACK = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
#: A letter demanding a reply by 2 March 2026 is due at the end of that day (GMT): sooner.
END_OF_2_MARCH = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def events(case: Case, kind: str) -> list[ev.Payload]:
    return [e.data for e in CaseEvent.objects.filter(case=case, kind=kind).order_by("seq")]


def log(case: Case, agent: User, **overrides: object) -> Dispute:
    fields: dict[str, object] = {
        "case": case,
        "sender": "Grey & Co Solicitors",
        "demands": "Stop calling our client.",
        "letter_date": date(2026, 2, 26),
        "deadline": date(2026, 3, 12),
        "their_reference": "GC/441",
        "actor": Actor.staff(agent),
        "now": NOW,
    }
    fields.update(overrides)
    return services.dispute_log(**fields)  # type: ignore[arg-type]


def clock(dispute: Dispute) -> CaseDeadline:
    return CaseDeadline.objects.get(case=dispute.case, key=f"DISPUTE/{dispute.pk}/reply")


def test_the_letters_deadline_becomes_the_cases_next_deadline(case: Case, agent: User) -> None:
    case_deadlines_refresh(case=case, now=NOW)
    case.refresh_from_db()
    assert case.next_due_at == ACK
    dispute = log(case, agent, deadline=date(2026, 3, 2))
    row = clock(dispute)
    assert row.due_at == END_OF_2_MARCH
    assert (row.source, row.party, row.kind, row.state) == (
        "demand",
        "business",
        "deadline",
        "open",
    )
    assert "the sender's demand, not a rule of law" in row.title
    assert "the date their letter demands" in row.title
    case.refresh_from_db()
    assert case.next_due_at == END_OF_2_MARCH
    (set_,) = [p for p in events(case, "deadline_set") if p.key == row.key]  # type: ignore[attr-defined]
    assert isinstance(set_, ev.DeadlineSet) and set_.verification == "demand"
    assert set_.due_at == "2026-03-03T00:00:00+00:00"
    # The letter's 12 March (GMT) is due at 13 March 00:00 UTC.
    assert clock(log(case, agent, sender="Blue LLP")).due_at == datetime(2026, 3, 13, tzinfo=UTC)
    # Re-deriving the rule deadlines leaves the demand alone and writes nothing for it.
    before = kinds(case)
    case_deadlines_refresh(case=case, now=NOW + timedelta(minutes=1))
    assert kinds(case) == before and clock(dispute).due_at == row.due_at
    assert ledger_verify(reference=case.reference).ok


def test_the_policy_default_is_counted_in_the_organisations_zone(case: Case, agent: User) -> None:
    # No deadline in the letter: 2 March + 14 days = 16 March (GMT), due 17 March 00:00 UTC.
    dispute = log(case, agent, letter_date=date(2026, 3, 2), deadline=None)
    row = clock(dispute)
    assert row.due_at == datetime(2026, 3, 17, 0, 0, tzinfo=UTC)
    assert "policy default of 14 days" in row.title
    # A letter's own date after the clocks go forward: the end of 10 April 2026, BST,
    # is 23:00 UTC that day.
    other = log(case, agent, sender="Blue LLP", deadline=date(2026, 4, 10))
    assert clock(other).due_at == datetime(2026, 4, 10, 23, 0, tzinfo=UTC)


def test_bad_input_writes_no_clock(case: Case, agent: User) -> None:
    before = kinds(case)
    with pytest.raises(FieldErrors) as caught:
        log(case, agent, deadline=date(2026, 2, 25))
    assert caught.value.errors["deadline"] == (
        "is 2026-02-25, before the letter's own date (2026-02-26)"
    )
    assert kinds(case) == before
    assert not CaseDeadline.objects.filter(source="demand").exists()


def test_the_watch_records_the_breach_without_escalating(case: Case, agent: User) -> None:
    dispute = log(case, agent, deadline=date(2026, 3, 2))
    status, priority = Case.objects.values_list("status", "priority").get(pk=case.pk)
    # One second before the end of 2 March nothing is due; at midnight the demand is
    # missed, and only it (the acknowledgement is due at 17:00).
    deadlines_tick(now=END_OF_2_MARCH - timedelta(seconds=1))
    assert clock(dispute).state == "open"
    report = deadlines_tick(now=END_OF_2_MARCH)
    assert (report.breaches, report.escalated) == (1, 0)
    assert clock(dispute).state == "missed"
    (breach,) = events(case, "deadline_breached")
    assert isinstance(breach, ev.DeadlineBreached)
    assert (breach.key, breach.escalated) == (clock(dispute).key, False)
    assert Case.objects.values_list("status", "priority").get(pk=case.pk) == (status, priority)


def _reply_sent(case: Case, dispute: Dispute, reviewer: User, sent_at: datetime) -> None:
    by = Actor.staff(reviewer)
    services.dispute_conduct_identify(dispute=dispute, conduct="Four calls.", actor=by, now=NOW)
    services.dispute_investigation_record(
        dispute=dispute, investigator="Lee Gal", records_checked=["call log"],
        findings="Four outbound calls.", actor=by, now=NOW,
    )  # fmt: skip
    services.dispute_decide(
        dispute=dispute, decision="comply", reasons="No more calls.", actor=by, now=NOW
    )
    kept = services.dispute_reply_draft(dispute=dispute, actor=by, now=NOW, formats=("md",))
    letter_mark_sent(
        case=case, seq=kept.event.seq, method="email", sent_at=sent_at, actor=by,
        now=sent_at,
    )  # fmt: skip


def test_sending_the_reply_meets_the_clock(case: Case, agent: User, reviewer: User) -> None:
    case_deadlines_refresh(case=case, now=NOW)
    first = log(case, agent, deadline=date(2026, 3, 2))
    second = log(case, agent, sender="Blue LLP", deadline=date(2026, 3, 20))
    sent_at = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    _reply_sent(case, first, reviewer, sent_at)
    row = clock(first)
    assert (row.state, row.met_at) == ("met", sent_at)
    (met,) = [p for p in events(case, "deadline_met") if p.key == row.key]  # type: ignore[attr-defined]
    assert isinstance(met, ev.DeadlineMet) and met.on_time is True
    sent_seq = CaseEvent.objects.get(case=case, kind="letter_sent").seq
    met_seq = CaseEvent.objects.get(case=case, kind="deadline_met").seq
    assert met_seq == sent_seq + 1  # recorded with the letter_sent event, in its transaction
    # The other letter's clock still runs (the end of 20 March); the soonest is the
    # acknowledgement again.
    assert clock(second).state == "open"
    case.refresh_from_db()
    assert case.next_due_at == ACK


def test_a_late_reply_is_met_late(case: Case, agent: User, reviewer: User) -> None:
    dispute = log(case, agent, deadline=date(2026, 3, 2))
    deadlines_tick(now=END_OF_2_MARCH)
    _reply_sent(case, dispute, reviewer, datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    row = clock(dispute)
    assert row.state == "met" and row.met_late
    (met,) = [p for p in events(case, "deadline_met") if p.key == row.key]  # type: ignore[attr-defined]
    assert met.on_time is False  # type: ignore[attr-defined]


def test_closing_the_case_cancels_the_clock(case: Case, agent: User) -> None:
    dispute = log(case, agent)
    key = clock(dispute).key
    later = NOW + timedelta(days=1)
    case_services.case_transition(
        case=case, to="withdrawn", reason="The customer withdrew.", actor=Actor.staff(agent),
        now=later,
    )  # fmt: skip
    deadlines_tick(now=later)
    assert not CaseDeadline.objects.filter(case=case, key=key).exists()
    (cancel,) = [p for p in events(case, "deadline_set") if p.key == key and p.due_at is None]  # type: ignore[attr-defined]
    assert cancel.reason == "cancelled: the case is withdrawn"  # type: ignore[attr-defined]
    case.refresh_from_db()
    assert case.next_due_at is None
    # Nothing is breached after the date on a finished case.
    deadlines_tick(now=datetime(2026, 3, 14, tzinfo=UTC))
    assert not [p for p in events(case, "deadline_breached") if p.key == key]  # type: ignore[attr-defined]
    assert ledger_verify(reference=case.reference).ok


def test_the_case_page_lists_the_clock_as_the_senders_demand(
    as_agent: Client, case: Case, agent: User
) -> None:
    dispute = log(case, agent)
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert f"DISPUTE/{dispute.pk}/reply" in page
    assert "sender&#x27;s demand, not law" in page or "sender's demand, not law" in page
    assert "end of Thu 12 Mar 2026" in page
