"""Collision warning: the case page's poll (`/cases/<ref>/version/`), its banner, and the
stale-form refusal on every case-page form outside the desk's own actions (disputes,
e-mail, records, letters). A deadline the watch appends in the meantime makes no form
stale."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from time_machine import TimeMachineFixture

from plaint.accesslog.models import AccessRecord
from plaint.accounts import reauth
from plaint.accounts.models import User
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.deadlines.services import case_deadlines_refresh, deadlines_tick
from plaint.letters.services import letter_generate
from tests.conftest import NOW, open_case

#: The instant the views run at (pinned): a week after the fixtures' cases were opened.
AT = NOW + timedelta(days=7)
WRITES = ("INSERT", "UPDATE", "DELETE")
ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}


@pytest.fixture(autouse=True)
def _pinned_clock(time_machine: TimeMachineFixture) -> None:
    time_machine.move_to(AT, tick=False)


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def version_of(page: str) -> int:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found is not None, "the page's forms carry no version"
    return int(found.group(1))


def poll(client: Client, case: Case, since: int | str) -> tuple[int, str]:
    response = client.get(f"/cases/{case.reference}/version/", {"since": since})
    return response.status_code, response.content.decode()


def colleague_note(case: Case, who: User, seconds_ago: int = 10) -> None:
    services.case_note_add(
        case=case,
        text="Spoke to billing",
        actor=Actor.staff(who),
        now=AT - timedelta(seconds=seconds_ago),
    )


# ---------------------------------------------------------------- the poll and its banner


def test_the_case_page_polls_with_its_own_target_and_selection(as_agent, case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    poller = re.search(r'<div id="collision"[^>]*>', page)
    assert poller is not None
    tag = poller.group(0)
    assert f'hx-get="/cases/{case.reference}/version/?since={case.ledger_length}"' in tag
    assert 'hx-trigger="every 5s"' in tag
    # #case hands hx-target/hx-select="#case" to everything inside it: the poller sets its own.
    assert 'hx-target="#collision-banner"' in tag and 'hx-select="#collision-banner"' in tag
    assert page.index('id="case"') < page.index('id="collision"')
    assert "<script>" not in page.split("</head>")[1]  # nothing inline (CSP)


def test_poll_interval_is_a_setting(as_agent, case, settings) -> None:
    settings.PLAINT_COLLISION_POLL_SECONDS = 12
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert 'hx-trigger="every 12s"' in page


def test_nothing_changed_is_204_with_no_body(as_agent, case) -> None:
    assert poll(as_agent, case, case.ledger_length) == (204, "")


def test_a_colleagues_note_shows_who_did_what_and_how_long_ago(as_agent, case, supervisor) -> None:
    since = case.ledger_length
    colleague_note(case, supervisor, seconds_ago=10)
    status, body = poll(as_agent, case, since)
    assert status == 200
    assert "Sue Visor added a note 10 seconds ago</strong> — <a" in body
    assert f'href="/cases/{case.reference}/">reload</a>' in body
    assert "a form sent from it now is refused" in body
    assert f'data-latest="{since + 1}"' in body


def test_many_changes_name_the_newest_three_and_count_them(as_agent, case, supervisor) -> None:
    since = case.ledger_length
    for seconds in (50, 40, 30, 20):
        colleague_note(case, supervisor, seconds_ago=seconds)
    status, body = poll(as_agent, case, since)
    assert status == 200
    assert "20 seconds ago; Sue Visor added a note 30 seconds ago; " in body
    assert "and 1 more change(s)" in body and "4 changes since this page was made" in body


def test_hostile_names_and_text_are_escaped(as_agent, case, org) -> None:
    since = case.ledger_length
    services.case_note_add(
        case=case,
        text="x",
        actor=Actor.system("<script>alert(1)</script>{{ 7*7 }}\u202e"),
        now=AT,
    )
    status, body = poll(as_agent, case, since)
    assert status == 200 and "<script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}" in body


@pytest.mark.parametrize("since", ["", "1; drop table", "-1", "1.5", "\x00"])
def test_a_malformed_version_is_a_400(as_agent, case, since) -> None:
    status, body = poll(as_agent, case, since)
    assert status == 400 and "version" in body


def test_the_poll_says_nothing_about_a_case_one_may_not_see(
    as_agent, as_outsider, case, org, supervisor, other_agent
) -> None:
    since = case.ledger_length
    colleague_note(case, supervisor)
    assert poll(as_outsider, case, since) == (204, "")  # another organisation
    services.case_assign(case=case, assignee=other_agent, actor=Actor.staff(supervisor), now=AT)
    assert poll(as_agent, case, since) == (204, "")  # now Bob's case: Alice cannot see it
    assert poll(as_agent, Case(reference="AC-2099-999999"), 0) == (204, "")


def test_the_poll_is_one_indexed_query_and_writes_nothing(as_agent, case, supervisor) -> None:
    since = case.ledger_length
    colleague_note(case, supervisor)
    poll(as_agent, case, since)  # the session's first request stamps it, once
    logged = AccessRecord.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert poll(as_agent, case, since)[0] == 200
    touching = [q["sql"] for q in queries if "cases_caseevent" in q["sql"]]
    assert len(touching) == 1
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
    assert AccessRecord.objects.count() == logged  # polls are not written to the access log
    as_agent.get(f"/cases/{case.reference}/")
    assert AccessRecord.objects.count() == logged + 1  # opening the case is


def test_the_poll_does_not_keep_an_idle_session_alive(
    as_agent, case, time_machine: TimeMachineFixture
) -> None:
    as_agent.get(f"/cases/{case.reference}/")
    first = as_agent.session[reauth.SEEN_AT]
    time_machine.move_to(AT + timedelta(minutes=5), tick=False)
    assert poll(as_agent, case, case.ledger_length)[0] == 204
    assert as_agent.session[reauth.SEEN_AT] == first  # a poll is not activity
    as_agent.get("/")
    assert as_agent.session[reauth.SEEN_AT] != first  # a person's request is


def test_a_poll_after_the_idle_timeout_sends_the_window_to_sign_in(
    as_agent, case, time_machine: TimeMachineFixture
) -> None:
    as_agent.get(f"/cases/{case.reference}/")
    time_machine.move_to(AT + timedelta(minutes=31), tick=False)
    response = as_agent.get(
        f"/cases/{case.reference}/version/",
        {"since": case.ledger_length},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/")


# ---------------------------------------------------------------- quiet deadline events


def test_a_deadline_the_watch_appends_makes_no_form_stale(org, agent) -> None:
    """The watch's reminder lands between rendering and sending: the poll stays quiet and
    the note is saved."""
    received = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)  # a Monday
    case = open_case(org, agent, received_at=received, regime="UK-FCA-DISP")
    case_deadlines_refresh(case=case, now=received)
    client = Client()
    assert client.login(username="alice", password="pw-alice-123")
    page = client.get(f"/cases/{case.reference}/").content.decode()
    rendered = version_of(page)
    report = deadlines_tick(now=datetime(2026, 3, 3, 17, 30, tzinfo=UTC))
    assert report.reminders == 1
    case.refresh_from_db()
    assert case.ledger_length > rendered and kinds(case)[-1] == "deadline_reminder"
    assert poll(client, case, rendered) == (204, "")
    response = client.post(
        f"/cases/{case.reference}/actions/note/",
        {"text": "Called back", "visibility": "internal", "version": rendered},
    )
    assert response.status_code == 302
    assert "note_added" in kinds(case)[rendered:]


def test_what_the_watch_does_to_the_case_itself_still_makes_forms_stale(as_agent, case) -> None:
    rendered = case.ledger_length
    watch = Actor.system("Deadline watch")
    services.case_priority_set(case=case, priority="urgent", reason="overdue", actor=watch, now=AT)
    status, body = poll(as_agent, case, rendered)
    assert status == 200 and "Deadline watch changed the priority just now" in body
    response = as_agent.post(
        f"/cases/{case.reference}/actions/note/",
        {"text": "x", "visibility": "internal", "version": rendered},
    )
    assert (
        response.status_code == 400 and "changed while you had it open" in response.content.decode()
    )


# ---------------------------------------------------------------- the other case-page forms


def refused(response, before: list[str], case: Case) -> str:  # type: ignore[no-untyped-def]
    body = response.content.decode() if response.status_code != 302 else ""
    assert kinds(case) == before, "a stale form wrote something"
    return body


def test_every_form_on_the_case_page_carries_the_version(as_agent, case, agent) -> None:
    letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=AT, fields=ADDRESS
    )
    case.refresh_from_db()
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    forms = re.findall(r"<form\b.*?</form>", page, flags=re.S)
    writing = [
        f
        for f in forms
        if 'method="post"' in f
        and "logout" not in f
        and "/export/" not in f  # a download: it changes nothing a form decides
        and "/views/" not in f
        and "/read/" not in f  # "mark replies read" writes no event
    ]
    assert len(writing) >= 15
    missing = [
        re.search(r'action="([^"]+)"', f).group(1) for f in writing if 'name="version"' not in f
    ]  # type: ignore[union-attr]
    assert missing == []
    assert set(re.findall(r'name="version" value="(\d+)"', page)) == {str(case.ledger_length)}


def test_a_stale_dispute_form_is_refused(as_agent, case, supervisor) -> None:
    rendered = version_of(as_agent.get(f"/cases/{case.reference}/").content.decode())
    colleague_note(case, supervisor)
    before = kinds(case)
    response = as_agent.post(
        f"/disputes/cases/{case.reference}/restrict/",
        {"kind": "stop_calling", "note": "Asked by letter", "version": rendered},
    )
    assert response.status_code == 400
    body = refused(response, before, case)
    assert "changed while you had it open: Sue Visor added a note 10 seconds ago" in body
    assert "Nothing was saved" in body
    fresh = version_of(body)  # the form shown again is at the new version
    again = as_agent.post(
        f"/disputes/cases/{case.reference}/restrict/",
        {"kind": "stop_calling", "note": "Asked by letter", "version": fresh},
    )
    assert again.status_code == 302 and kinds(case)[len(before)] == "contact_restriction_added"


def test_a_stale_email_is_refused_and_nothing_queued(as_agent, case, supervisor) -> None:
    from plaint.messaging.models import Message

    rendered = version_of(as_agent.get(f"/cases/{case.reference}/").content.decode())
    colleague_note(case, supervisor)
    before = kinds(case)
    response = as_agent.post(
        f"/mail/cases/{case.reference}/send/",
        {"subject": "Your complaint", "text": "We are on it.", "version": rendered},
    )
    assert response.status_code == 400
    body = refused(response, before, case)
    assert "Sue Visor added a note 10 seconds ago" in body and "Nothing was saved" in body
    assert not Message.objects.filter(case=case).exists()


def test_a_stale_correction_and_legal_hold_are_refused(
    as_agent, as_supervisor, case, supervisor, agent
) -> None:
    rendered = version_of(as_agent.get(f"/cases/{case.reference}/").content.decode())
    colleague_note(case, supervisor)
    before = kinds(case)
    response = as_agent.post(
        f"/records/cases/{case.reference}/correct/",
        {"field": "case.order_number", "value": "INV-1", "reason": "typo", "version": rendered},
        follow=True,
    )
    body = refused(response, before, case)
    assert "Correction not saved: " in body and "Sue Visor added a note" in body
    case.refresh_from_db()
    assert case.order_number == "INV-12345"
    colleague_note(case, agent)
    before = kinds(case)
    response = as_supervisor.post(
        f"/records/cases/{case.reference}/hold/",
        {"reason": "Litigation", "version": rendered},
        follow=True,
    )
    body = refused(response, before, case)
    assert "Legal hold not changed: " in body and "Alice Agent added a note" in body
    response = as_agent.post(
        f"/records/cases/{case.reference}/subject-access/",
        {"requested_on": "2026-03-05", "received_by": "e-mail", "version": rendered},
        follow=True,
    )
    assert "Request not logged: " in refused(response, before, case)


def test_stale_letter_forms_are_refused(as_agent, case, agent, supervisor) -> None:
    seq = letter_generate(
        case=case, kind="acknowledgement", actor=Actor.staff(agent), now=AT, fields=ADDRESS
    ).event.seq
    case.refresh_from_db()
    rendered = version_of(as_agent.get(f"/cases/{case.reference}/").content.decode())
    colleague_note(case, supervisor)
    before = kinds(case)
    sent = as_agent.post(
        f"/cases/{case.reference}/letters/{seq}/sent/",
        {
            "sent_at": "2026-03-05T16:00",
            "method": "post",
            "tracking_number": "",
            "version": rendered,
        },
    )
    assert sent.status_code == 400 and "Sue Visor added a note" in refused(sent, before, case)
    withdrawn = as_agent.post(
        f"/cases/{case.reference}/letters/{seq}/withdraw/",
        {"reason": "Wrong letter", "version": rendered},
    )
    assert withdrawn.status_code == 400 and "Nothing was saved" in refused(withdrawn, before, case)
    generated = as_agent.post(
        f"/cases/{case.reference}/letters/",
        {"kind": "acknowledgement", "page_size": "A4", "version": rendered},
    )
    assert generated.status_code == 400 and "Nothing was saved" in refused(generated, before, case)


def test_queue_assign_to_me_goes_back_to_the_queue(as_agent, case) -> None:
    """The queue's "a" key sends "Take this case" with where to come back to."""
    response = as_agent.post(
        f"/cases/{case.reference}/actions/assign/",
        {
            "assignee": User.objects.get(username="alice").pk,
            "version": case.ledger_length,
            "next": "/?status=new",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/?status=new"
    case.refresh_from_db()
    assert case.assignee is not None and case.assignee.username == "alice"


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_assign_never_sends_anyone_off_site(as_agent, case, elsewhere) -> None:
    response = as_agent.post(
        f"/cases/{case.reference}/actions/assign/",
        {
            "assignee": User.objects.get(username="alice").pk,
            "version": case.ledger_length,
            "next": elsewhere,
        },
    )
    assert response["Location"] == f"/cases/{case.reference}/#assign"
