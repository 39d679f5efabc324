"""Reads of the messaging part; each takes the organisation (or a case of it) first."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.messaging.models import CannedReply, Message
from plaint.outbox.models import Delivery


@dataclass(frozen=True)
class MessageRow:
    message: Message
    status: str  # the delivery's status for mail out; the message's state for mail in
    status_label: str


def case_messages(*, case: Case) -> list[MessageRow]:
    """The case's messages in and out, oldest first, each with where it stands."""
    rows = []
    for m in (
        Message.objects.filter(case=case).select_related("delivery").order_by("created_at", "id")
    ):
        if m.delivery is not None:
            rows.append(MessageRow(m, m.delivery.status, m.delivery.get_status_display()))
        else:
            rows.append(MessageRow(m, m.state, m.get_state_display()))
    return rows


def message_get(*, organisation: Organisation, pk: int) -> Message:
    return Message.objects.select_related("case", "delivery").get(organisation=organisation, pk=pk)


def outbox_list(*, organisation: Organisation, status: str = "") -> QuerySet[Delivery]:
    rows = Delivery.objects.filter(organisation=organisation).select_related("message__case")
    if status:
        rows = rows.filter(status=status)
    return rows.defer("payload").order_by("-created_at", "-id")


def outbox_counts(*, organisation: Organisation) -> dict[str, int]:
    return dict(
        Delivery.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )


@dataclass(frozen=True)
class RepliesRow:
    case: Case
    unread: int
    latest: object


def new_replies(*, organisation: Organisation) -> list[RepliesRow]:
    """Cases with received messages nobody has read yet, the longest waiting first."""
    grouped = (
        Message.objects.filter(organisation=organisation, needs_reading=True, case__isnull=False)
        .values("case")
        .annotate(unread=Count("id"), latest=Max("created_at"))
        .order_by("latest")
    )
    cases = Case.objects.in_bulk([g["case"] for g in grouped])
    return [RepliesRow(cases[g["case"]], g["unread"], g["latest"]) for g in grouped]


def unmatched(*, organisation: Organisation) -> QuerySet[Message]:
    """Received messages no case could be found for, and those kept raw with a reason."""
    return Message.objects.filter(
        organisation=organisation,
        direction=Message.Direction.IN,
        state__in=[Message.State.UNMATCHED, Message.State.REJECTED],
    ).order_by("-created_at", "-id")


def canned_replies(*, organisation: Organisation) -> QuerySet[CannedReply]:
    return CannedReply.objects.filter(organisation=organisation, active=True)


def organisation_for_mail(*, slug: str) -> Organisation | None:
    """The organisation an inbound-mail webhook names, or None (a public endpoint says
    nothing about which organisations exist)."""
    return Organisation.objects.filter(slug=slug[:50]).first()
