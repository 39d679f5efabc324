"""Bulk reads: a job of the member of staff's organisation, its refusals, and the rows of
a CSV export of chosen cases."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.db.models import QuerySet

from plaint.accounts.models import User
from plaint.bulk.models import BulkJob, BulkRefusal
from plaint.cases import selectors as case_selectors
from plaint.domain.csv_cells import csv_cell


class JobNotFound(LookupError):
    pass


def bulk_job_get(*, user: User, pk: int) -> BulkJob:
    """The job, if it belongs to the member of staff's organisation."""
    if user.organisation_id is None:
        raise JobNotFound(pk)
    job = (
        BulkJob.objects.filter(pk=pk, organisation_id=user.organisation_id)
        .select_related("user")
        .first()
    )
    if job is None:
        raise JobNotFound(pk)
    return job


def bulk_refusals(*, job: BulkJob) -> QuerySet[BulkRefusal]:
    return job.refusals.order_by("position")


EXPORT_HEADER = (
    "reference",
    "status",
    "priority",
    "assignee",
    "customer",
    "product",
    "issue",
    "category",
    "regime",
    "received_at",
    "next_due_at",
)


def bulk_export_rows(*, user: User, case_ids: Sequence[int]) -> Iterator[list[object]]:
    """The header, then a row per chosen case the user may see, in the order chosen; every
    cell defused so a spreadsheet never runs it as a formula. The caller checks the ids
    first (`bulk_cases_check`): a case the user may not see is never read."""
    assert user.organisation is not None
    yield list(EXPORT_HEADER)
    visible = case_selectors.case_list(organisation=user.organisation, visible_to=user)
    for start in range(0, len(case_ids), 1000):
        part = list(case_ids[start : start + 1000])
        by_pk = {c.pk: c for c in visible.filter(pk__in=part)}
        for pk in part:
            case = by_pk.get(pk)
            if case is None:
                continue
            row: list[object] = [
                case.reference,
                case.status,
                case.priority,
                case.assignee.display_name if case.assignee else "",
                case.customer.name,
                case.product,
                case.issue,
                case.category,
                case.regime,
                case.received_at.isoformat(),
                case.next_due_at.isoformat() if case.next_due_at else "",
            ]
            yield [csv_cell(value) for value in row]
