"""Writes for organisations and staff."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plaint.accounts.models import Organisation, StaffChange, User
from plaint.accounts.roles import ROLE_PERMISSIONS, Role
from plaint.domain.deadlines.calendars import UnknownCalendar, holiday_calendar_for
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
    holiday_calendar: str | None = None,
) -> Organisation:
    """Create an organisation. Its holiday calendar follows its country (``US`` for US,
    ``GB-ENG`` for GB unless another part of the UK is named) or is given as
    `holiday_calendar` (``GB-SCT``, ``US-CA``); a bare ``GB`` is refused."""
    if Organisation.objects.filter(slug=slug).exists():
        raise FieldErrors({"slug": f"an organisation called {slug!r} already exists"})
    country = country.strip().upper()
    try:
        calendar = holiday_calendar_for(country, holiday_calendar)
    except UnknownCalendar as exc:
        raise FieldErrors({"holiday_calendar": str(exc)}) from None
    org = Organisation(
        slug=slug,
        name=name,
        reference_prefix=reference_prefix,
        time_zone=time_zone,
        country=country,
        holiday_calendar=calendar,
        created_at=now,
    )
    org.full_clean()
    org.save()
    return org


@transaction.atomic
def _username_refused(username: str) -> str:
    """The one message for a username already in use, in this organisation or another.

    Usernames are unique across the installation (sign-in asks for no organisation), so a
    name can be refused because of a member of another organisation; the message is the same
    either way, so an admin cannot learn who else uses the installation."""
    return f"the username {username!r} cannot be used: choose another"


def staff_create(
    *,
    organisation: Organisation,
    username: str,
    password: str,
    roles: Iterable[Role | str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    actor: User | None = None,
    now: datetime | None = None,
) -> User:
    """Add a member of staff with their roles and a first password (Django's password
    validators), and record it on the staff trail. `actor` is the admin adding them (None
    from the command line); `now` stamps the joining date and the trail (without it, the
    moment Django stamps `date_joined`)."""
    if now is not None:
        _require_aware(now)
    _actor_checked(organisation=organisation, actor=actor)
    errors: dict[str, str] = {}
    chosen = _roles_checked(roles, errors)
    username = User.normalize_username(username.strip())
    if username and User.objects.filter(username=username).exists():
        errors["username"] = _username_refused(username)
    user = User(
        username=username,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=User.objects.normalize_email(email.strip()),
        organisation=organisation,
        is_staff=Role.ADMIN in chosen,
    )
    if now is not None:
        user.date_joined = now
    _details_checked(user, errors, fields=("username", *DETAIL_FIELDS))
    _password_checked(password, user, errors)
    if errors:
        raise FieldErrors(errors)
    user.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: the username may be taken meanwhile
            user.save()
    except IntegrityError:
        raise FieldErrors({"username": _username_refused(username)}) from None
    groups = roles_ensure()
    user.groups.set([groups[role] for role in chosen])
    _trail(
        organisation,
        user,
        actor,
        now or user.date_joined,
        StaffChange.What.CREATED,
        {"roles": [r.value for r in chosen]},
    )
    return user


@transaction.atomic
def staff_update(
    *,
    organisation: Organisation,
    user: User,
    roles: Iterable[Role | str],
    is_active: bool,
    first_name: str,
    last_name: str,
    email: str,
    actor: User | None,
    now: datetime,
) -> User:
    """Change a member's names, e-mail, roles and whether they may sign in, recording each
    kind of change on the staff trail. Refused, writing nothing: a user of another
    organisation, an unknown role or none, malformed names or e-mail, an admin taking away
    their own admin role or deactivating themselves, and any change that would leave the
    organisation without an active admin. `actor` is the admin making the change (None:
    an operator at the command line)."""
    _require_aware(now)
    _actor_checked(organisation=organisation, actor=actor)
    # The organisation's row serialises staff changes, so two admins cannot demote each
    # other at the same moment and leave nobody in charge.
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    member = _member_locked(organisation=organisation, user=user)
    errors: dict[str, str] = {}
    chosen = _roles_checked(roles, errors)
    before_roles = member.roles
    before = {name: getattr(member, name) for name in DETAIL_FIELDS}
    member.first_name = first_name.strip()
    member.last_name = last_name.strip()
    member.email = User.objects.normalize_email(email.strip())
    _details_checked(member, errors, fields=DETAIL_FIELDS)
    if "roles" not in errors:
        _admin_kept(
            organisation=organisation,
            member=member,
            actor=actor,
            before=before_roles,
            after=chosen,
            is_active=is_active,
            errors=errors,
        )
    if errors:
        raise FieldErrors(errors)

    was_active = member.is_active
    member.is_active = is_active
    member.is_staff = Role.ADMIN in chosen
    member.save(update_fields=[*DETAIL_FIELDS, "is_active", "is_staff"])
    changed = {
        name: [old, getattr(member, name)]
        for name, old in before.items()
        if old != getattr(member, name)
    }
    if changed:
        _trail(
            organisation, member, actor, now, StaffChange.What.DETAILS_CHANGED, {"fields": changed}
        )
    if chosen != before_roles:
        groups = roles_ensure()
        member.groups.set([groups[role] for role in chosen])
        _trail(
            organisation,
            member,
            actor,
            now,
            StaffChange.What.ROLES_CHANGED,
            {"from": [r.value for r in before_roles], "to": [r.value for r in chosen]},
        )
    if was_active != is_active:
        what = StaffChange.What.REACTIVATED if is_active else StaffChange.What.DEACTIVATED
        _trail(organisation, member, actor, now, what, {})
    return member


@transaction.atomic
def staff_password_set(
    *, organisation: Organisation, user: User, password: str, actor: User | None, now: datetime
) -> User:
    """Give a member a new password (Django's password validators apply). Their other
    sessions end, since the session is tied to the password. The trail records that a
    password was set, never the password."""
    _require_aware(now)
    _actor_checked(organisation=organisation, actor=actor)
    member = _member_locked(organisation=organisation, user=user)
    errors: dict[str, str] = {}
    _password_checked(password, member, errors)
    if errors:
        raise FieldErrors(errors)
    member.set_password(password)
    member.save(update_fields=["password"])
    _trail(organisation, member, actor, now, StaffChange.What.PASSWORD_SET, {})
    return member


# ---------------------------------------------------------------- checks shared by the above

#: The fields of a member an admin edits besides roles and the active flag.
DETAIL_FIELDS = ("first_name", "last_name", "email")


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise FieldErrors({"now": "must be a timezone-aware date and time"})


def _actor_checked(*, organisation: Organisation, actor: User | None) -> None:
    """Only an active admin of the organisation changes its staff (None: the command line)."""
    if actor is None:
        return
    if (
        actor.organisation_id != organisation.pk
        or not actor.is_active
        or not actor.has_perm("cases.manage_organisation")
    ):
        raise FieldErrors({"actor": f"only an active admin of {organisation.name} may do this"})


def _member_locked(*, organisation: Organisation, user: User) -> User:
    """The member, re-read under a row lock, if they belong to the organisation."""
    try:
        return User.objects.select_for_update().get(pk=user.pk, organisation=organisation)
    except User.DoesNotExist:
        raise FieldErrors(
            {"user": f"there is no member of staff {user.username!r} in {organisation.name}"}
        ) from None


def _roles_checked(roles: Iterable[Role | str], errors: dict[str, str]) -> list[Role]:
    """The roles asked for, each once, in the order of `Role`."""
    known = {role.value: role for role in Role}
    wanted = [str(r) for r in roles]  # a Role is its value as a string
    unknown = [value for value in wanted if value not in known]
    if unknown:
        names = ", ".join(repr(value) for value in unknown)
        errors["roles"] = f"{names} is not a role (choose from {', '.join(known)})"
        return []
    if not wanted:
        errors["roles"] = "choose at least one role"
    return [role for role in Role if role.value in wanted]


def _details_checked(user: User, errors: dict[str, str], *, fields: Iterable[str]) -> None:
    """The model's own checks of these fields (lengths, e-mail syntax, the username's
    characters), plus: one line, no control characters."""
    checked = set(fields)
    for name in sorted(checked):
        value = getattr(user, name)
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            errors[name] = "must be one line, without control characters"
    exclude = [f.name for f in User._meta.get_fields() if f.name not in checked]
    try:
        user.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))


def _password_checked(password: str, user: User, errors: dict[str, str]) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS), one message for the field."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)


def _admin_kept(
    *,
    organisation: Organisation,
    member: User,
    actor: User | None,
    before: list[Role],
    after: list[Role],
    is_active: bool,
    errors: dict[str, str],
) -> None:
    """An admin keeps their own admin role and account; the organisation keeps an admin."""
    losing_role = Role.ADMIN in before and Role.ADMIN not in after
    if actor is not None and member.pk == actor.pk:
        if losing_role:
            errors["roles"] = "you cannot take away your own admin role; ask another admin"
        if not is_active:
            errors["is_active"] = "you cannot deactivate your own account; ask another admin"
        if losing_role or not is_active:
            return
    was_admin = member.is_active and Role.ADMIN in before
    stays_admin = is_active and Role.ADMIN in after
    if not was_admin or stays_admin:
        return
    others = (
        User.objects.filter(organisation=organisation, is_active=True, groups__name=Role.ADMIN)
        .exclude(pk=member.pk)
        .exists()
    )
    if not others:
        field = "roles" if losing_role else "is_active"
        errors[field] = (
            f"{member.display_name} is the only active admin of {organisation.name}; "
            "make someone else an admin first"
        )


def _trail(
    organisation: Organisation,
    user: User,
    actor: User | None,
    at: datetime,
    what: StaffChange.What,
    detail: dict[str, Any],
) -> None:
    StaffChange.objects.create(
        organisation=organisation, user=user, actor=actor, at=at, what=what, detail=detail
    )
