"""The desk's admin pages: the team (add, edit, deactivate, set a password) and the
catalogue of letter templates. Admins only (`cases.manage_organisation`), and only for
their own organisation: anyone else gets 403, a member id of another organisation 404.
Adding, changing and setting the password of a member ask for the admin's own password
again when it was given more than PLAINT_REAUTH_MINUTES ago (`plaint.accounts.reauth`).
Views parse, call a selector or a service, and render; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plaint.accounts.models import Organisation, User, role_label
from plaint.accounts.reauth import recent_password_required
from plaint.accounts.roles import Role
from plaint.accounts.selectors import StaffNotFound, staff_changes, staff_get, staff_members
from plaint.accounts.services import staff_create, staff_password_set, staff_update
from plaint.accounts.signins import lockouts_current, signin_unlock, signins_recent
from plaint.accounts.twofactor import two_factor_enrolled, two_factor_enrolled_ids
from plaint.desk import views
from plaint.desk.admin_forms import MemberForm, MemberNewForm, PasswordSetForm
from plaint.domain.errors import DomainError, FieldErrors
from plaint.letters.overrides import templates_dir
from plaint.letters.selectors import letter_templates

MANAGE = "cases.manage_organisation"
CHANGES_SHOWN = 50
SIGNINS_SHOWN = 100


def _admin(request: HttpRequest) -> tuple[Organisation, User]:
    """The signed-in admin and their organisation, or 403."""
    org = views._organisation(request)
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied("Only admins manage the team and see the templates.")
    return org, views._user(request)


def _member(org: Organisation, user_id: int) -> User:
    try:
        return staff_get(organisation=org, user_id=user_id)
    except StaffNotFound:
        raise Http404(f"No member of staff {user_id} in {org.name}.") from None


def _show_errors(form: forms.Form, exc: DomainError) -> None:
    """Put each of a service's messages next to the field it names, or above the form."""
    if not isinstance(exc, FieldErrors):
        form.add_error(None, exc.message)
        return
    for field, problem in exc.errors.items():
        text = problem[:1].upper() + problem[1:]
        form.add_error(field if field in form.fields else None, text)


def _roles_words(roles: list[str]) -> str:
    return ", ".join(role_label(role) for role in roles)


# ---------------------------------------------------------------- sign-ins


@never_cache  # who signed in from where: not for the browser's cache
@login_required
@require_GET
def signins_view(request: HttpRequest) -> HttpResponse:
    org, _ = _admin(request)
    return _signins_page(request, org)


def _signins_page(
    request: HttpRequest, org: Organisation, *, error: str = "", status: int = 200
) -> HttpResponse:
    context = {
        "organisation": org,
        "lockouts": lockouts_current(organisation=org, now=timezone.now()),
        "signins": signins_recent(organisation=org, limit=SIGNINS_SHOWN),
        "error": error,
    }
    return render(request, "desk/admin/signins.html", context, status=status)


@never_cache
@login_required
@require_POST
def signin_unlock_view(request: HttpRequest) -> HttpResponse:
    org, admin = _admin(request)
    username = request.POST.get("username", "")
    try:
        signin_unlock(username=username, actor=admin, now=timezone.now())
    except FieldErrors as exc:
        problem = "; ".join(exc.errors.values())
        return _signins_page(request, org, error=problem[:1].upper() + problem[1:], status=400)
    messages.success(request, f"Unlocked {username}: they can sign in again now.")
    return redirect("desk_admin:signins")


# ---------------------------------------------------------------- the team


@never_cache  # names, e-mail addresses and roles: not for the browser's cache
@login_required
@require_GET
def team_view(request: HttpRequest) -> HttpResponse:
    org, _ = _admin(request)
    context = {
        "organisation": org,
        "members": staff_members(organisation=org),
        "changes": staff_changes(organisation=org, limit=CHANGES_SHOWN),
        "two_factor_ids": two_factor_enrolled_ids(organisation=org),
    }
    return render(request, "desk/admin/team.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@recent_password_required(MANAGE)
def member_new_view(request: HttpRequest) -> HttpResponse:
    org, admin = _admin(request)
    if request.method != "POST":
        form = MemberNewForm(initial={"roles": [Role.AGENT.value]})
        return render(request, "desk/admin/member_new.html", {"form": form})
    form = MemberNewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = staff_create(
                organisation=org,
                username=data["username"],
                password=data["password"],
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                actor=admin,
                now=timezone.now(),
            )
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            messages.success(
                request,
                f"Added {member.display_name} ({member.username}) as "
                f"{_roles_words(data['roles'])}. They can sign in now.",
            )
            return redirect("desk_admin:member", user_id=member.pk)
    return render(request, "desk/admin/member_new.html", {"form": form}, status=400)


def _member_form(member: User) -> MemberForm:
    return MemberForm(
        initial={
            "first_name": member.first_name,
            "last_name": member.last_name,
            "email": member.email,
            "roles": [role.value for role in member.roles],
            "is_active": member.is_active,
        }
    )


def _password_form(data: Any = None) -> PasswordSetForm:
    return PasswordSetForm(data, auto_id="id_pw_%s")


def _member_page(
    request: HttpRequest,
    org: Organisation,
    member: User,
    *,
    form: MemberForm | None = None,
    password_form: PasswordSetForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "member": member,
        "form": form or _member_form(member),
        "password_form": password_form or _password_form(),
        "changes": staff_changes(organisation=org, user=member, limit=CHANGES_SHOWN),
        "two_factor_on": two_factor_enrolled(member),
    }
    return render(request, "desk/admin/member.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@recent_password_required(MANAGE)
def member_view(request: HttpRequest, user_id: int) -> HttpResponse:
    org, admin = _admin(request)
    member = _member(org, user_id)
    if request.method != "POST":
        return _member_page(request, org, member)
    form = MemberForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            member = staff_update(
                organisation=org,
                user=member,
                roles=data["roles"],
                is_active=data["is_active"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                actor=admin,
                now=timezone.now(),
            )
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            state = "" if member.is_active else " They can no longer sign in."
            messages.success(request, f"Saved {member.display_name}.{state}")
            return redirect("desk_admin:member", user_id=member.pk)
    return _member_page(request, org, member, form=form, status=400)


@never_cache
@login_required
@require_POST
@recent_password_required(
    MANAGE, back=lambda user_id: reverse("desk_admin:member", kwargs={"user_id": user_id})
)
def member_password_view(request: HttpRequest, user_id: int) -> HttpResponse:
    org, admin = _admin(request)
    member = _member(org, user_id)
    form = _password_form(request.POST)
    if form.is_valid():
        try:
            member = staff_password_set(
                organisation=org,
                user=member,
                password=form.cleaned_data["password"],
                actor=admin,
                now=timezone.now(),
            )
        except DomainError as exc:
            _show_errors(form, exc)
        else:
            if member.pk == admin.pk:
                update_session_auth_hash(request, member)  # stay signed in here
            messages.success(
                request,
                f"Set a new password for {member.display_name}. Tell them in person or by "
                "phone, not by e-mail; any session they had open has ended.",
            )
            return redirect("desk_admin:member", user_id=member.pk)
    return _member_page(request, org, member, password_form=form, status=400)


# ---------------------------------------------------------------- letter templates


@never_cache
@login_required
@require_GET
def templates_view(request: HttpRequest) -> HttpResponse:
    _admin(request)
    folder = templates_dir()
    rows, shared = letter_templates(folder=folder)
    context = {
        "rows": rows,
        "shared": shared,
        "folder": folder,
        "folder_missing": folder is not None and not folder.is_dir(),
    }
    return render(request, "desk/admin/templates.html", context)
