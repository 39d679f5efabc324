"""The desk's own writes: saved views of the queue. (Every write to a case goes through
the case services; the desk's bulk actions call them once per case: `plaint.desk.bulk`.)"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlencode

from django.db import IntegrityError, transaction

from plaint.accounts.models import User
from plaint.desk.models import SavedView
from plaint.domain.errors import FieldErrors

#: The query parameters a saved view may keep: the queue's filters, sort and columns.
VIEW_PARAMETERS = (
    "q",
    "status",
    "product",
    "priority",
    "assignee",
    "received_from",
    "received_to",
    "queue",
    "days",
    "category",
    "flag",
    "regime",
    "sort",
    "cols",
)


def _clean_text(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable()).strip()


@transaction.atomic
def saved_view_save(
    *,
    owner: User,
    name: str,
    parameters: Iterable[tuple[str, str]],
    shared: bool,
    now: datetime,
) -> SavedView:
    """Save (or replace) the owner's view called `name`, keeping only the queue's own
    parameters, and only the non-empty ones."""
    name = _clean_text(name)
    if not name:
        raise FieldErrors({"name": "is required"})
    if len(name) > 80:
        raise FieldErrors({"name": "is longer than 80 characters"})
    if owner.organisation_id is None:
        raise FieldErrors({"name": "your account belongs to no organisation"})
    kept = [
        (key, _clean_text(value))
        for key, value in parameters
        if key in VIEW_PARAMETERS and _clean_text(value)
    ]
    query = urlencode(kept)
    if len(query) > 2000:
        raise FieldErrors({"query": "these filters are too long to save"})
    try:
        view, _ = SavedView.objects.update_or_create(
            owner=owner,
            name=name,
            defaults={
                "organisation_id": owner.organisation_id,
                "query": query,
                "shared": shared,
                "created_at": now,
            },
        )
    except IntegrityError:  # pragma: no cover - a race on the same name
        raise FieldErrors({"name": "a view of that name was saved at the same moment"}) from None
    return view


@transaction.atomic
def saved_view_delete(*, owner: User, pk: int) -> None:
    """Delete one of the owner's own views (a shared view is deleted by its owner only)."""
    deleted, _ = SavedView.objects.filter(owner=owner, pk=pk).delete()
    if not deleted:
        raise FieldErrors({"view": "is not one of your saved views"})
