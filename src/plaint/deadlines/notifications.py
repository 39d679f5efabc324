"""Who hears about a deadline, and what they are told. Mail goes out through a background
task enqueued after the transaction commits, so a rolled-back change sends nothing."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.accounts.models import User
from plaint.accounts.roles import Role
from plaint.cases.models import Case
from plaint.deadlines.models import CaseDeadline


def _supervisors(case: Case) -> list[str]:
    return sorted(
        User.objects.filter(
            organisation_id=case.organisation_id,
            is_active=True,
            groups__name__in=[Role.SUPERVISOR.value, Role.ADMIN.value],
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _assignee(case: Case) -> list[str]:
    assignee = case.assignee
    return [assignee.email] if assignee is not None and assignee.email else []


def recipients_for_reminder(case: Case) -> list[str]:
    return _assignee(case) or _supervisors(case)


def recipients_for_breach(case: Case) -> list[str]:
    return sorted(set(_supervisors(case)) | set(_assignee(case)))


def _due(row: CaseDeadline) -> str:
    if row.due_at is None:
        return "no date"
    local = row.due_at.astimezone(ZoneInfo(row.case.organisation.time_zone))
    if local.time() == time(0):  # due by the end of the day before
        return f"end of {local - timedelta(days=1):%a %d %b %Y} ({local:%Z})"
    return local.strftime("%a %d %b %Y %H:%M %Z")


def reminder_message(case: Case, row: CaseDeadline) -> tuple[str, str]:
    return (
        f"[Plaint] {case.reference}: due {_due(row)} - {row.title}",
        f"Case {case.reference} has a deadline coming up.\n\n"
        f"  {row.title}\n  Due: {_due(row)}\n\n"
        f"Run `plaint deadlines explain {case.reference}` to see how the date was counted.\n",
    )


def breach_message(case: Case, row: CaseDeadline) -> tuple[str, str]:
    return (
        f"[Plaint] {case.reference}: deadline MISSED - {row.title}",
        f"Case {case.reference} missed a deadline.\n\n  {row.title}\n  Was due: {_due(row)}\n\n"
        "The case has been escalated for a supervisor.\n"
        if row.party == "business"
        else f"Case {case.reference}: a deadline on the customer's side has passed.\n\n"
        f"  {row.title}\n  Was due: {_due(row)}\n",
    )


def send_on_commit(recipients: list[str], message: tuple[str, str]) -> None:
    if not recipients:
        return
    from plaint.deadlines.tasks import notification_send

    subject, body = message
    transaction.on_commit(
        lambda: notification_send.enqueue(recipients=recipients, subject=subject, body=body)
    )
