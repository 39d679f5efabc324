"""The desk's own reads: the saved views a member of staff may use."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from plaint.accounts.models import User
from plaint.desk.models import SavedView


def saved_views(*, user: User) -> QuerySet[SavedView]:
    """Their own views and the ones their team shares, by name."""
    if user.organisation_id is None:
        return SavedView.objects.none()
    return (
        SavedView.objects.filter(organisation_id=user.organisation_id)
        .filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_view_get(*, user: User, pk: int) -> SavedView | None:
    return saved_views(user=user).filter(pk=pk).first()
