"""The case queue's shape: which columns it can show, how it sorts, and how a deadline
reads in words.

Every sort is answered by an index of `Case` whose leading column is the organisation
(`(organisation, received_at)`, `(organisation, next_due_at, id)`, the unique
`(organisation, reference)`), so the first page of 100,000 cases costs an index walk of 50
rows, not a sort of all of them (figures: `bench/desk_latency.py`). The sort key always
ends in the primary key, so pages never overlap or skip a case.

`Case.next_due_at` is derived data kept by the deadline services
(`plaint.deadlines.services.cases_next_due_store`): the most urgent deadline the business
still owes on the case, open or already missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy

from plaint.cases.models import Case
from plaint.domain.lifecycle import CaseStatus


class Sort(StrEnum):
    NEWEST = "-received"
    OLDEST = "received"
    NEXT_DUE = "next_due"
    REFERENCE = "reference"

    @property
    def label(self) -> str:
        return SORT_LABELS[self]


SORT_LABELS = {
    Sort.NEWEST: "Newest first",
    Sort.OLDEST: "Oldest first",
    Sort.NEXT_DUE: "Next deadline first",
    Sort.REFERENCE: "Reference",
}

_ORDER: dict[Sort, tuple[str | OrderBy, ...]] = {
    Sort.NEWEST: ("-received_at", "-id"),
    Sort.OLDEST: ("received_at", "id"),
    # Cases owing nothing come last on both databases (PostgreSQL's ascending index keeps
    # NULLs last already; SQLite walks its index twice).
    Sort.NEXT_DUE: (F("next_due_at").asc(nulls_last=True), "id"),
    Sort.REFERENCE: ("reference",),
}


def queue_sort(cases: QuerySet[Case], sort: Sort) -> QuerySet[Case]:
    """The cases in the order `sort` names (replacing any order they had)."""
    return cases.order_by(*_ORDER[sort])


class Column(StrEnum):
    """The columns a member of staff may choose to see. The reference is always shown."""

    RECEIVED = "received"
    NEXT_DUE = "next_due"
    CUSTOMER = "customer"
    PRODUCT = "product"
    ISSUE = "issue"
    CATEGORY = "category"
    REGIME = "regime"
    STATUS = "status"
    PRIORITY = "priority"
    ASSIGNEE = "assignee"

    @property
    def label(self) -> str:
        return COLUMN_LABELS[self]


COLUMN_LABELS = {
    Column.RECEIVED: "Received",
    Column.NEXT_DUE: "Next deadline",
    Column.CUSTOMER: "Customer",
    Column.PRODUCT: "Product",
    Column.ISSUE: "Issue",
    Column.CATEGORY: "Category",
    Column.REGIME: "Regime",
    Column.STATUS: "Status",
    Column.PRIORITY: "Priority",
    Column.ASSIGNEE: "Assignee",
}

DEFAULT_COLUMNS = (
    Column.RECEIVED,
    Column.NEXT_DUE,
    Column.CUSTOMER,
    Column.PRODUCT,
    Column.ISSUE,
    Column.STATUS,
    Column.PRIORITY,
    Column.ASSIGNEE,
)

#: Within this long of its due time a deadline is "due soon".
SOON = timedelta(days=2)


class DueTone(StrEnum):
    OVERDUE = "overdue"
    SOON = "soon"
    LATER = "later"


@dataclass(frozen=True)
class DueState:
    """How a case's next deadline reads: in words first (so that it never depends on
    colour alone), with a tone the page may also colour."""

    tone: DueTone
    words: str  # "Overdue by 3 days", "Due in 5 hours", "Due in 12 days"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86_400:
        n, unit = seconds // 86_400, "day"
    elif seconds >= 3_600:
        n, unit = seconds // 3_600, "hour"
    else:
        n, unit = max(seconds // 60, 1), "minute"
    return f"{n} {unit}{'' if n == 1 else 's'}"


def due_state(due_at: datetime | None, *, now: datetime) -> DueState | None:
    """The state of a deadline due at `due_at`, seen at `now`; None when there is none."""
    if due_at is None:
        return None
    if due_at <= now:
        return DueState(DueTone.OVERDUE, f"Overdue by {_span(now - due_at)}")
    left = due_at - now
    return DueState(DueTone.SOON if left <= SOON else DueTone.LATER, f"Due in {_span(left)}")


_FINISHED = frozenset({CaseStatus.CLOSED.value, CaseStatus.WITHDRAWN.value})


def case_due_state(case: Case, *, now: datetime) -> DueState | None:
    """The queue's deadline words for `case`: none once it is closed or withdrawn, even
    while its stored `next_due_at` has not yet been cleared (a closure outside the deadline
    services is caught up by the next refresh or `plaint tick`)."""
    if case.status in _FINISHED:
        return None
    return due_state(case.next_due_at, now=now)
