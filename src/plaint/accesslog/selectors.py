"""Reading the access log: newest first, filtered, for the admins' page, its CSV and
`plaint access list`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from plaint.accounts.models import Organisation

from .models import AccessRecord


@dataclass(frozen=True)
class AccessFilters:
    user_id: int | None = None
    case_reference: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None


def access_list(*, organisation: Organisation, filters: AccessFilters) -> QuerySet[AccessRecord]:
    """The organisation's access records matching `filters`, newest first."""
    rows = AccessRecord.objects.filter(organisation=organisation).select_related("user")
    if filters.user_id is not None:
        rows = rows.filter(user_id=filters.user_id)
    if filters.case_reference:
        rows = rows.filter(case_reference=filters.case_reference.strip().upper())
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.since is not None:
        rows = rows.filter(at__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(at__lt=filters.until)
    return rows.order_by("-at", "-pk")


CSV_HEADERS = ("at", "user", "username", "via", "action", "case", "detail", "address")


def access_rows(records: QuerySet[AccessRecord]) -> Iterator[list[object]]:
    """The records as CSV rows (`CSV_HEADERS`), streamed."""
    for record in records.iterator(chunk_size=2000):
        yield [
            record.at.isoformat(),
            record.actor_label,
            record.user.username if record.user else "",
            record.via,
            record.action,
            record.case_reference,
            " ".join(f"{k}={v}" for k, v in sorted(record.detail.items())),
            record.address or "",
        ]
