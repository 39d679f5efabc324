"""Writes for organisations and staff."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import ROLE_PERMISSIONS, Role
from plaint.domain.errors import FieldErrors


@transaction.atomic
def roles_ensure() -> dict[Role, Group]:
    """Create (or bring up to date) one group per role with its permissions."""
    groups: dict[Role, Group] = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        group.permissions.set(perms)
        groups[role] = group
    return groups


@transaction.atomic
def organisation_create(
    *,
    slug: str,
    name: str,
    now: datetime,
    reference_prefix: str = "PL",
    time_zone: str = "Europe/London",
    country: str = "GB",
) -> Organisation:
    if Organisation.objects.filter(slug=slug).exists():
        raise FieldErrors({"slug": f"an organisation called {slug!r} already exists"})
    org = Organisation(
        slug=slug,
        name=name,
        reference_prefix=reference_prefix,
        time_zone=time_zone,
        country=country,
        created_at=now,
    )
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def staff_create(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    if User.objects.filter(username=username).exists():
        raise FieldErrors({"username": f"the username {username!r} is taken"})
    user = User.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        is_staff=Role.ADMIN in roles,
    )
    groups = roles_ensure()
    user.groups.set([groups[role] for role in roles])
    return user
