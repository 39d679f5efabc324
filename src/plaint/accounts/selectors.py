"""Reads for organisations and staff."""

from __future__ import annotations

from django.db.models import QuerySet

from plaint.accounts.models import Organisation, StaffChange, User
from plaint.domain.errors import FieldErrors


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise FieldErrors({"org": f"no organisation {slug!r} (known: {known})"}) from None


def staff_list(*, organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(organisation=organisation, is_active=True).order_by("username")


class StaffNotFound(LookupError):
    """No member of staff with that id in this organisation."""


def staff_members(*, organisation: Organisation) -> QuerySet[User]:
    """Every member of staff, active or not, active first, with their roles' groups."""
    return (
        User.objects.filter(organisation=organisation)
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )


def staff_get(*, organisation: Organisation, user_id: int) -> User:
    """The member of staff with this id in the organisation, active or not."""
    try:
        return staff_members(organisation=organisation).get(pk=user_id)
    except User.DoesNotExist:
        raise StaffNotFound(user_id) from None


def staff_changes(
    *, organisation: Organisation, limit: int = 50, user: User | None = None
) -> list[StaffChange]:
    """The latest changes to the organisation's staff (or to one member), newest first."""
    changes = StaffChange.objects.filter(organisation=organisation)
    if user is not None:
        changes = changes.filter(user=user)
    return list(changes.select_related("user", "actor").order_by("-at", "-pk")[:limit])
