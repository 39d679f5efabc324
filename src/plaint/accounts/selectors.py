"""Reads for organisations and staff."""

from __future__ import annotations

from django.db.models import QuerySet

from plaint.accounts.models import Organisation, User
from plaint.domain.errors import FieldErrors


def organisation_get(*, slug: str) -> Organisation:
    try:
        return Organisation.objects.get(slug=slug)
    except Organisation.DoesNotExist:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
        raise FieldErrors({"org": f"no organisation {slug!r} (known: {known})"}) from None


def staff_list(*, organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(organisation=organisation, is_active=True).order_by("username")
