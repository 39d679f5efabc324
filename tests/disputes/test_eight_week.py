"""The 8-week letter prompt: when it appears on the desk case page (not before the
final-response deadline, at it, not after the letter is sent), the draft's referral wording,
and the refusal to keep the letter while a fact the record lacks is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.services import case_deadlines_refresh
from plaint.disputes.selectors import eight_week_letter_due
from plaint.domain.letters import MissingFields
from plaint.letters.services import letter_generate
from tests.conftest import open_case
from tests.disputes.conftest import _client

LONDON = ZoneInfo("Europe/London")
#: Received Sun 1 Mar 2026 (the fixtures' case); 8 weeks = 56 days later is Sun 26 Apr 2026,
#: and the deadline is the end of that day in London (BST): midnight, 23:00 UTC.
END_OF_WEEK_EIGHT = datetime(2026, 4, 27, 0, 0, tzinfo=LONDON)


def _due(case: Case) -> datetime:
    prompt = eight_week_letter_due(case=case, now=datetime(2027, 1, 1, tzinfo=UTC))
    assert prompt is not None
    return prompt.due_at


def test_fca_prompt_appears_at_the_end_of_week_eight_and_not_before(case: Case) -> None:
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    due = _due(case)
    assert due == END_OF_WEEK_EIGHT
    assert eight_week_letter_due(case=case, now=due - timedelta(seconds=1)) is None
    at = eight_week_letter_due(case=case, now=due)
    assert at is not None and at.letter == "holding-response"
    assert at.fields == {"letter.fos_referral_now": "yes"}
    assert eight_week_letter_due(case=case, now=datetime(2026, 3, 20, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    ("regime", "letter"), [("UK-OFCOM", "deadlock-letter"), ("UK-OFGEM", "deadlock-letter")]
)
def test_ofcom_and_ofgem_prompt_the_eight_week_adr_letter(
    org: Organisation, agent: User, regime: str, letter: str
) -> None:
    case = open_case(org, agent, regime=regime)
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    due = _due(case)
    assert due == END_OF_WEEK_EIGHT
    assert eight_week_letter_due(case=case, now=due - timedelta(seconds=1)) is None
    prompt = eight_week_letter_due(case=case, now=due)
    assert prompt is not None and prompt.letter == letter
    assert prompt.fields == {"letter.adr_letter_type": "eight_weeks"}


def test_no_prompt_for_a_regime_without_an_eight_week_rule(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, regime="US-CFPB")
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    assert eight_week_letter_due(case=case, now=datetime(2027, 1, 1, tzinfo=UTC)) is None


def test_the_draft_refuses_to_be_kept_without_what_the_record_lacks(
    case: Case, agent: User
) -> None:
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    now = datetime(2026, 4, 27, 9, 0, tzinfo=UTC)
    prompt = eight_week_letter_due(case=case, now=now)
    assert prompt is not None
    before = CaseEvent.objects.filter(case=case).count()
    with pytest.raises(MissingFields) as caught:
        letter_generate(
            case=case,
            kind=prompt.letter,
            actor=Actor.staff(agent),
            now=now,
            fields={**prompt.fields, "handler.name": "Alice Agent"},
            formats=("md",),
        )
    assert {"letter.progress", "letter.expected_by", "letter.delay_reason"} <= {
        m.field.key for m in caught.value.missing
    }
    assert CaseEvent.objects.filter(case=case).count() == before  # nothing kept


def test_the_draft_carries_the_referral_wording_and_sending_it_ends_the_prompt(
    case: Case, agent: User
) -> None:
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    now = datetime(2026, 4, 27, 9, 0, tzinfo=UTC)
    prompt = eight_week_letter_due(case=case, now=now)
    assert prompt is not None
    made = letter_generate(
        case=case,
        kind=prompt.letter,
        actor=Actor.staff(agent),
        now=now,
        fields={
            **prompt.fields,
            "handler.name": "Alice Agent",
            "letter.progress": "We have asked our billing team for the February records.",
            "letter.delay_reason": "The billing records are held by a supplier.",
            "letter.expected_by": "2026-05-15",
        },
        formats=("md",),
    )
    text = made.letter.outputs["md"].decode()
    assert "you can now refer it to the Financial Ombudsman Service" in text
    assert "standard explanatory leaflet" in text
    assert "The billing records are held by a supplier." in text
    assert "15 May 2026" in text
    # Kept but not yet sent: still due.
    assert eight_week_letter_due(case=case, now=now) is not None
    from plaint.letters.services import letter_mark_sent

    letter_mark_sent(
        case=case,
        seq=made.event.seq,
        method="email",
        sent_at=now,
        actor=Actor.staff(agent),
        now=now,
    )
    assert eight_week_letter_due(case=case, now=now) is None
    case_deadlines_refresh(case=case, now=now + timedelta(minutes=1))
    assert eight_week_letter_due(case=case, now=now + timedelta(days=30)) is None


def test_desk_shows_the_prompt_and_draft_it_highlights_the_missing_fields(
    as_agent: Client, case: Case
) -> None:
    case_deadlines_refresh(case=case, now=datetime(2026, 3, 2, 10, 30, tzinfo=UTC))
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "8-week letter due" not in page  # the pinned clock: 2 Mar 2026
    with time_machine.travel(datetime(2026, 4, 27, 9, 0, tzinfo=UTC), tick=False):
        as_agent = _client("alice")  # a fresh sign-in: the pinned day's session has expired
        page = as_agent.get(f"/cases/{case.reference}/").content.decode()
        assert "8-week letter due" in page and "Draft it" in page
        before = CaseEvent.objects.filter(case=case).count()
        response = as_agent.post(
            f"/cases/{case.reference}/letters/",
            {"kind": "holding-response", "page_size": "A4", "f-letter.fos_referral_now": "yes"},
        )
        assert response.status_code == 400
        body = response.content.decode()
        assert "field(s) needed" in body
        assert 'name="f-letter.delay_reason"' in body and 'name="f-letter.expected_by"' in body
        assert CaseEvent.objects.filter(case=case).count() == before
