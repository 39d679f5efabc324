"""Read-only queues of the case list: my cases, unassigned, due soon, overdue, legal review,
needs human triage; and the extra filters (category, risk flag, regime).

Reads only, every one scoped to one organisation. They narrow a queryset that came from
`plaint.cases.selectors.case_list(organisation=...)`, so they can never widen it to another
organisation. (They belong in the selectors of the apps that own the data; see the desk's
hand-over notes.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import Q, QuerySet

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case
from plaint.deadlines.models import CaseDeadline
from plaint.deadlines.selectors import deadlines_due
from plaint.domain.lifecycle import CaseStatus
from plaint.triage.models import TriageRecord
from plaint.triage.selectors import legal_review_queue, needs_triage_queue

DEFAULT_DUE_DAYS = 7
_FINISHED = (CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value)


class Queue(StrEnum):
    MINE = "mine"
    UNASSIGNED = "unassigned"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    LEGAL = "legal"
    TRIAGE = "triage"

    @property
    def label(self) -> str:
        return QUEUE_LABELS[self]


QUEUE_LABELS = {
    Queue.MINE: "My cases",
    Queue.UNASSIGNED: "Unassigned",
    Queue.DUE_SOON: "Due soon",
    Queue.OVERDUE: "Overdue",
    Queue.LEGAL: "Legal review",
    Queue.TRIAGE: "Needs human triage",
}


def _business_deadlines(organisation: Organisation) -> QuerySet[CaseDeadline]:
    """The organisation's deadlines that are the business's to meet (not the customer's)."""
    return CaseDeadline.objects.filter(organisation=organisation).exclude(party="customer")


def queue_filter(
    cases: QuerySet[Case],
    *,
    organisation: Organisation,
    queue: Queue,
    user: User,
    now: datetime,
    days: int = DEFAULT_DUE_DAYS,
) -> QuerySet[Case]:
    cases = cases.filter(organisation=organisation)
    if queue is Queue.MINE:
        return cases.filter(assignee=user)
    if queue is Queue.UNASSIGNED:
        return cases.filter(assignee__isnull=True)
    if queue is Queue.DUE_SOON:
        due = deadlines_due(organisation=organisation).exclude(party="customer")
        due = due.filter(due_at__gt=now, due_at__lte=now + timedelta(days=days))
        return cases.filter(pk__in=due.values("case_id"))
    if queue is Queue.OVERDUE:
        # Work still owed: a closed or withdrawn case has nothing left to do, whatever it
        # missed on the way (its missed deadlines stay on its page and in the reports).
        late = _business_deadlines(organisation).filter(
            Q(state=CaseDeadline.State.MISSED) | Q(state=CaseDeadline.State.OPEN, due_at__lte=now)
        )
        return cases.filter(pk__in=late.values("case_id")).exclude(status__in=_FINISHED)
    if queue is Queue.LEGAL:
        return cases.filter(pk__in=legal_review_queue(organisation=organisation).values("case_id"))
    return cases.filter(pk__in=needs_triage_queue(organisation=organisation).values("case_id"))


def queue_counts(
    cases: QuerySet[Case], *, organisation: Organisation, user: User, now: datetime
) -> list[tuple[Queue, int]]:
    return [
        (q, queue_filter(cases, organisation=organisation, queue=q, user=user, now=now).count())
        for q in Queue
    ]


def flag_filter(cases: QuerySet[Case], *, organisation: Organisation, flag: str) -> QuerySet[Case]:
    """Cases whose triage raised `flag`. The flags are a JSON list, which SQLite cannot
    search inside, so they are read and matched here."""
    records = TriageRecord.objects.filter(organisation=organisation).values_list("case_id", "flags")
    ids = [
        case_id
        for case_id, flags in records
        if any(isinstance(f, dict) and f.get("flag") == flag for f in flags or [])
    ]
    return cases.filter(organisation=organisation, pk__in=ids)


def case_narrow(
    cases: QuerySet[Case], *, organisation: Organisation, category: str = "", regime: str = ""
) -> QuerySet[Case]:
    cases = cases.filter(organisation=organisation)
    if category:
        cases = cases.filter(category=category)
    if regime:
        cases = cases.filter(regime=regime)
    return cases
