"""Reminder e-mails of the dates that matter, for hosted consumers: three days ahead and
on the day, each sent once, only to the account's verified address, switchable off, never
in the local workspace, and the consumer's own words never break a header.

Dana's complaint is dated Monday 2 March 2026 (DAY_ONE) and waits 14 days for a reply:
2 March + 14 days = Monday 16 March 2026. So its reminders are due on Friday 13 March
(three days ahead) and on Monday 16 March (on the day). Dana is in New York: 15:00 UTC
is 10:00 (11:00 from 8 March, daylight saving) there, the same day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from plaint.consumer import reminders, selectors, signin
from plaint.consumer.models import ConsumerCase, ConsumerReminder
from plaint.consumer.record import record_verify
from plaint.domain.consumer.calendar import DueDate
from plaint.domain.consumer.reminders import reminder_body, reminder_subject, reminders_due
from tests.consumer.flows import draft, interview
from tests.consumer.test_case_file import dana_case

pytestmark = pytest.mark.django_db

ADDRESS = "Dana.Whitfield@example.org"


def at(day: int, hour: int = 15) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def hosted_case(client: Client, clock, settings, django_user_model) -> Iterator[ConsumerCase]:  # type: ignore[no-untyped-def]
    """Dana's case with her complaint drafted (in the workspace's pages), then made the
    case of a hosted account that has signed in by link once."""
    case = dana_case(client)
    interview(client, case, "complaint", {})
    draft(client, case, "complaint")
    user = django_user_model.objects.create_user(
        username=signin._username(ADDRESS.lower()), email=ADDRESS, last_login=at(2, 14)
    )
    ConsumerCase.objects.filter(pk=case.pk).update(owner=user)
    settings.CONSUMER_LOCAL = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    case.refresh_from_db()
    yield case


def send(now: datetime, capture: Any) -> int:
    with capture(execute=True):
        return reminders.consumer_reminders_send(now=now)


def test_due_reminders_by_hand_counted_dates() -> None:
    reply = DueDate("reply", date(2026, 3, 16), "Reply due")
    window = DueDate("window", date(2026, 3, 4), "Window closes")
    today = date(2026, 3, 2)
    # 4 March is two days away: its three-days-ahead reminder is due (its day, 1 March,
    # has come); 16 March is 14 days away: nothing yet.
    due = reminders_due([reply, window], today=today, sent=set())
    assert [(r.uid, r.lead_days, r.days_left) for r in due] == [("window", 3, 2)]
    assert reminders_due([window], today=today, sent={("window", date(2026, 3, 4), 3)}) == []
    assert [(r.uid, r.lead_days) for r in reminders_due([reply], today=date(2026, 3, 13),
            sent=set())] == [("reply", 3)]  # fmt: skip
    # On the day only the on-the-day reminder, even if the earlier one was never sent.
    assert [(r.lead_days, r.days_left) for r in reminders_due([reply], today=date(2026, 3, 16),
            sent=set())] == [(0, 0)]  # fmt: skip
    # A date already past never gets one.
    assert reminders_due([reply, window], today=date(2026, 3, 17), sent=set()) == []


def test_sent_three_days_ahead_and_on_the_day_once_each(
    hosted_case: ConsumerCase, django_capture_on_commit_callbacks: Any
) -> None:
    [line] = selectors.case_due_dates(hosted_case)
    assert line.day == date(2026, 3, 16)
    capture = django_capture_on_commit_callbacks
    assert send(at(12), capture) == 0  # four days ahead: not yet
    assert send(at(13), capture) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ADDRESS]
    assert message.subject == (
        "Plaint reminder, in 3 days: Brightline Wireless, Inc.: Complaint letter: "
        "the date you will wait until"
    )
    assert "- Monday 16 March 2026 (in 3 days): Brightline Wireless, Inc.:" in message.body
    assert "14 days from the date of the letter" in message.body
    # A second pass (the same minute, or later that day, or the next) sends nothing more.
    assert send(at(13), capture) == 0
    assert send(at(13, 23), capture) == 0
    assert send(at(14), capture) == 0
    assert send(at(16), capture) == 1
    assert mail.outbox[1].subject.startswith("Plaint reminder, today: ")
    assert send(at(16, 20), capture) == 0
    assert send(at(17), capture) == 0
    assert len(mail.outbox) == 2
    assert sorted(ConsumerReminder.objects.values_list("lead_days", flat=True)) == [0, 3]
    # Each reminder is on the case's record, and the record still verifies.
    sentences = [r.sentence for r in selectors.case_record(hosted_case)]
    assert sentences[0].startswith("Reminder e-mailed: Brightline Wireless, Inc.: Complaint")
    assert sum(s.startswith("Reminder e-mailed") for s in sentences) == 2
    hosted_case.refresh_from_db()
    assert record_verify(hosted_case) == []
    # The constraint itself refuses a second row for the same reminder.
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsumerReminder.objects.create(
            case=hosted_case, uid=line.uid, day=line.day, lead_days=0, sent_at=at(16)
        )


def test_first_use_skips_past_dates_and_sends_what_is_still_ahead(
    hosted_case: ConsumerCase, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    assert send(at(20), capture) == 0  # the date is past: nothing, ever
    assert send(at(15), capture) == 1  # first pass the day before: the early one, "tomorrow"
    assert mail.outbox[0].subject.startswith("Plaint reminder, tomorrow: ")


def test_another_worker_that_recorded_first_wins(
    hosted_case: ConsumerCase, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    real = reminders.reminders_due

    def raced(*args: Any, **kwargs: Any) -> Any:
        due = real(*args, **kwargs)
        for r in due:  # the other worker commits the same reminders meanwhile
            ConsumerReminder.objects.create(
                case=hosted_case, uid=r.uid, day=r.day, lead_days=r.lead_days, sent_at=at(13)
            )
        return due

    monkeypatch.setattr(reminders, "reminders_due", raced)
    assert send(at(13), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert ConsumerReminder.objects.count() == 1


def test_off_switch_and_only_a_verified_address(
    client: Client,
    hosted_case: ConsumerCase,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    capture = django_capture_on_commit_callbacks
    user = hosted_case.owner
    client.force_login(user)
    home = client.get(reverse("consumer:home")).content.decode()
    assert "Reminders of the dates that matter go to <strong>Dana.Whitfield@example.org" in home
    response = client.post(reverse("consumer:reminders"), {"reminders": "off"})
    assert response.status_code == 302
    assert not reminders.reminders_on(user)
    assert send(at(13), capture) == 0
    client.post(reverse("consumer:reminders"), {"reminders": "on"})
    assert reminders.reminders_on(user)
    # An address that is not the one its sign-in links went to gets nothing.
    type(user).objects.filter(pk=user.pk).update(email="someone.else@example.org")
    assert send(at(13), capture) == 0
    # Nor an account that never used a link.
    type(user).objects.filter(pk=user.pk).update(email=ADDRESS, last_login=None)
    assert send(at(13), capture) == 0
    type(user).objects.filter(pk=user.pk).update(last_login=at(2))
    assert send(at(13), capture) == 1
    assert mail.outbox[0].to == [ADDRESS]


def test_the_local_workspace_sends_nothing(
    client: Client, hosted_case: ConsumerCase, django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:  # fmt: skip
    settings.CONSUMER_LOCAL = True
    assert send(at(13), django_capture_on_commit_callbacks) == 0
    assert mail.outbox == [] and ConsumerReminder.objects.count() == 0
    assert 'id="reminders"' not in client.get(reverse("consumer:home")).content.decode()
    assert client.post(reverse("consumer:reminders"), {"reminders": "on"}).status_code == 404


#: What no service lets in (a line break, a direction override), put straight in the
#: database; a NUL byte (which PostgreSQL cannot store) only reaches the domain functions.
HOSTILE = "Dana <script>alert(1)</script> {{ 7*7 }}\r\nBcc: evil@example.com\u202e end"


def test_hostile_case_and_business_names_stay_text(
    hosted_case: ConsumerCase, django_capture_on_commit_callbacks: Any
) -> None:
    answers = {**hosted_case.answers, "business.name": HOSTILE}
    ConsumerCase.objects.filter(pk=hosted_case.pk).update(title=HOSTILE, answers=answers)
    assert send(at(13), django_capture_on_commit_callbacks) == 1
    message = mail.outbox[0]
    for unsafe in ("\r", "\n", "\u202e"):
        assert unsafe not in message.subject
    assert message.subject.startswith(
        "Plaint reminder, in 3 days: Dana <script>alert(1)</script> {{ 7*7 }} Bcc: evil@"
    )
    assert message.bcc == [] and message.recipients() == [ADDRESS]
    head = message.message().as_bytes().split(b"\n\n", 1)[0].decode()
    names = {line.split(":", 1)[0] for line in head.splitlines() if not line[:1].isspace()}
    assert names == {"Content-Type", "MIME-Version", "Content-Transfer-Encoding", "Subject",
                     "From", "To", "Date", "Message-ID"}  # fmt: skip
    assert "\u202e" not in message.body and "\r" not in message.body
    assert "<script>alert(1)</script> {{ 7*7 }}" in message.body  # printed as typed
    assert "49" not in message.body
    # The same words from the domain functions, several dates at once.
    due = reminders_due(
        [DueDate("a", date(2026, 3, 4), HOSTILE + "\x00"), DueDate("b", date(2026, 3, 3), "x")],
        today=date(2026, 3, 2),
        sent=set(),
    )
    subject = reminder_subject(due, case_title=HOSTILE)
    assert subject.startswith("Plaint reminder: 2 dates coming up in Dana <script>")
    assert "\n" not in subject and "\u202e" not in subject
    body = reminder_body(due, business=HOSTILE + "\x00")
    assert "\x00" not in body and "\u202e" not in body and "\r" not in body
    assert "- Wednesday 4 March 2026 (in 2 days): Dana <script>" in body
