"""Marking a kept letter as sent on the case page: a plain form post (htmx only enhances
it), read in the organisation's time zone, refused without CSRF, without the work
permission and across organisations."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import organisation_create
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.desk.letter_forms import LetterMarkSentForm
from plaint.letters.selectors import case_letter
from plaint.letters.services import letter_generate
from tests.conftest import NOW, _staff, open_case
from tests.letters.records import folder_with_gap

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}
SENT = {"sent_at": "2026-03-01T16:00", "method": "recorded_delivery", "tracking_number": "RR1GB"}


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def kept(case: Case, user: User, kind: str = "acknowledgement", **fields: str) -> int:
    done = letter_generate(
        case=case, kind=kind, actor=Actor.staff(user), now=NOW, fields={**ADDRESS, **fields}
    )
    return done.event.seq


def url(case: Case, seq: int) -> str:
    return f"/cases/{case.reference}/letters/{seq}/sent/"


def test_agent_marks_a_letter_sent_without_javascript(
    as_agent: Client, agent: User, case: Case
) -> None:
    seq = kept(case, agent)
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "Mark as sent" in page
    response = as_agent.post(url(case, seq), SENT)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#letters"
    sent = case_letter(case=case, seq=seq).sent
    assert sent is not None
    assert sent.sent_at == datetime(2026, 3, 1, 16, 0, tzinfo=ZoneInfo("Europe/London"))
    page = as_agent.get(response["Location"]).content.decode()
    assert "Sent by recorded delivery on 1 Mar 2026 16:00, tracking RR1GB" in page
    # a sent letter offers no second "mark as sent" form
    assert f'action="/cases/{case.reference}/letters/{seq}/sent/"' not in page


def test_an_htmx_post_gets_the_same_answer(as_agent: Client, agent: User, case: Case) -> None:
    seq = kept(case, agent)
    response = as_agent.post(url(case, seq), SENT, headers={"HX-Request": "true"})
    assert response.status_code == 302 and response["Location"].endswith("#letters")
    assert case_letter(case=case, seq=seq).sent is not None


def test_refusals_are_shown_on_the_form_and_write_nothing(
    as_agent: Client, agent: User, case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seq = kept(case, agent)
    before = kinds(case)
    for data, words in (
        ({**SENT, "tracking_number": ""}, "required for recorded delivery"),
        ({**SENT, "sent_at": "2999-01-01T10:00"}, "in the future"),
        ({**SENT, "method": "pigeon"}, "Select a valid choice"),
        ({**SENT, "tracking_number": "X" * 65}, "at most 64 characters"),
    ):
        response = as_agent.post(url(case, seq), data)
        page = response.content.decode()
        assert response.status_code == 400 and words in page, words
        # the bound form comes back open, with the delivery methods to choose from
        assert '<option value="recorded_delivery"' in page
        assert kinds(case) == before
    folder_with_gap(tmp_path, monkeypatch)  # an organisation's wording still to complete
    incomplete = kept(
        case,
        agent,
        kind="final-response",
        **{
            "letter.outcome": "reject",
            "letter.findings": "No error.",
            "letter.reasons": "Correct.",
            "letter.fos_time_limit_case": "no_waiver_six_months",
        },
    )
    before = kinds(case)
    response = as_agent.post(url(case, incomplete), {**SENT, "method": "post"})
    assert response.status_code == 400 and "TO COMPLETE BEFORE SENDING" in response.content.decode()
    assert kinds(case) == before
    assert as_agent.post(url(case, seq), SENT).status_code == 302
    again = as_agent.post(url(case, seq), {**SENT, "method": "email"})
    assert again.status_code == 400 and "already marked as sent" in again.content.decode()


def test_the_time_typed_is_read_in_the_organisations_zone(db: None) -> None:
    org = organisation_create(
        slug="nyc", name="Empire Power", now=NOW, time_zone="America/New_York"
    )
    agent = _staff(org, "nina", Role.AGENT, "Nina", "Agent")
    case = open_case(org, agent, regime="")
    seq = kept(case, agent)
    client = Client()
    assert client.login(username="nina", password="pw-nina-123")
    assert client.post(url(case, seq), {**SENT, "sent_at": "2026-03-01T20:00"}).status_code == 302
    sent = case_letter(case=case, seq=seq).sent
    assert sent is not None and sent.sent_at == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_the_empty_form_offers_now_in_the_organisations_zone() -> None:
    form = LetterMarkSentForm(zone=ZoneInfo("America/New_York"), now=NOW)  # 10:30 UTC
    assert 'value="2026-03-02T05:30"' in str(form["sent_at"])
    assert 'type="datetime-local"' in str(form["sent_at"])


def test_only_staff_who_work_cases_may_mark_letters(
    as_legal: Client, agent: User, case: Case
) -> None:
    seq = kept(case, agent)
    before = kinds(case)
    assert as_legal.post(url(case, seq), SENT).status_code == 403
    assert kinds(case) == before


def test_csrf_token_is_required(admin_of_org: User, case: Case) -> None:
    seq = kept(case, admin_of_org)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ada", password="pw-ada-123")
    before = kinds(case)
    assert client.post(url(case, seq), SENT).status_code == 403
    assert kinds(case) == before
    page = client.get(f"/cases/{case.reference}/").content.decode()
    form = page[page.index(f'action="{url(case, seq)}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None
    with_token = {**SENT, "csrfmiddlewaretoken": token.group(1)}
    assert client.post(url(case, seq), with_token).status_code == 302


def test_other_organisations_and_other_cases_give_not_found(
    as_agent: Client, as_outsider: Client, agent: User, org: Organisation, case: Case
) -> None:
    seq = kept(case, agent)
    before = kinds(case)
    assert as_outsider.post(url(case, seq), SENT).status_code == 404
    # another case's letter, through this case's address; an event that is not a letter
    other = open_case(org, agent)
    for n in range(3):  # three different letters (the same one twice is one draft)
        kept(other, agent, kind="acknowledgement", **{"business.address": f"{n} Way\nLondon"})
    theirs = kinds(other).index("letter_generated", len(before)) + 1
    assert as_agent.post(url(case, theirs), SENT).status_code == 404
    assert as_agent.post(url(case, 1), SENT).status_code == 404
    assert kinds(case) == before
    assert case_letter(case=other, seq=theirs).sent is None
