"""Reminder e-mails of the dates that matter, for hosted consumers (never in the local
workspace, which sends nothing anywhere).

Each pass (`consumer_reminders_send`, run by the periodic pass) looks at every signed-in
consumer's case files with kept letters, asks the domain which reminders are due today
(`plaint.domain.consumer.reminders`: three days ahead and on the day, in the case's time
zone) from the same dates the case page and the `.ics` file show
(`selectors.case_due_dates`), records them (`ConsumerReminder`, unique per date and lead,
so a second pass or a second worker finds them sent) with one event on the case's record,
and e-mails them to the account's verified address after the transaction commits. A
consumer turns them off on the My cases page (`reminders_set`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from plaint.consumer import selectors, signin
from plaint.consumer.models import (
    ConsumerCase,
    ConsumerLetter,
    ConsumerPreferences,
    ConsumerReminder,
)
from plaint.consumer.record import record_append
from plaint.domain.consumer.reminders import reminder_body, reminder_subject, reminders_due
from plaint.domain.errors import FieldErrors
from plaint.domain.events_consumer import ConsumerReminderSent
from plaint.domain.letters.fields import parse_zone


def reminders_on(user: Any) -> bool:
    """Whether the account gets reminder e-mails (on unless turned off)."""
    return not ConsumerPreferences.objects.filter(user=user, reminders=False).exists()


def reminders_set(*, user: Any, on: bool) -> None:
    """Turn the account's reminder e-mails on or off (hosted only)."""
    if settings.CONSUMER_LOCAL:
        raise FieldErrors({"reminders": "The local workspace sends no e-mail."})
    ConsumerPreferences.objects.update_or_create(user=user, defaults={"reminders": on})


def _case_send(case: ConsumerCase, address: str, now: datetime) -> int:
    today = now.astimezone(parse_zone(case.time_zone)).date()
    with transaction.atomic():
        case = ConsumerCase.objects.select_for_update().get(pk=case.pk)
        sent = set(case.reminders.values_list("uid", "day", "lead_days"))
        due = reminders_due(selectors.case_due_dates(case), today=today, sent=sent)
        if not due:
            return 0
        try:
            with transaction.atomic():
                ConsumerReminder.objects.bulk_create(
                    ConsumerReminder(
                        case=case, uid=r.uid, day=r.day, lead_days=r.lead_days, sent_at=now
                    )
                    for r in due
                )
        except IntegrityError:  # another worker recorded (and sends) them first
            return 0
        record_append(
            case=case,
            payload=ConsumerReminderSent(
                dates=[
                    {
                        "uid": r.uid,
                        "day": r.day.isoformat(),
                        "lead_days": r.lead_days,
                        "title": r.title,
                    }
                    for r in due
                ]
            ),
            now=now,
        )
        subject = reminder_subject(due, case_title=case.title)
        body = reminder_body(due, business=str(case.answers.get("business.name") or ""))
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]),
            robust=True,
        )
    return len(due)


def consumer_reminders_send(*, now: datetime) -> int:
    """Send every reminder due at `now`; the number of dates reminded of."""
    if now.tzinfo is None:
        raise FieldErrors({"now": "must be a timezone-aware date and time"})
    if settings.CONSUMER_LOCAL:
        return 0
    off = ConsumerPreferences.objects.filter(reminders=False).values("user_id")
    cases = (
        ConsumerCase.objects.filter(
            owner__isnull=False, pk__in=ConsumerLetter.objects.values("case_id")
        )
        .exclude(owner__in=off)
        .select_related("owner")
        .order_by("pk")
    )
    count = 0
    for case in cases:
        address = signin.verified_address(case.owner)
        if address:
            count += _case_send(case, address, now)
    return count
