"""The desk's API tokens page (admins only, their own organisation): list, make (the secret
is shown on the answer to that one request, never again) and revoke. The page and the
revocation ask for the admin's password again when it was given more than
PLAINT_REAUTH_MINUTES ago (`plaint.accounts.reauth`). Views parse, call
`plaint.api.tokens`, and render in the desk's look; the service decides."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from plaint.accounts.models import Organisation, User
from plaint.accounts.reauth import recent_password_required
from plaint.accounts.selectors import staff_members
from plaint.domain.errors import DomainError, FieldErrors

from . import tokens


class TokenForm(forms.Form):
    name = forms.CharField(label="What it is for", max_length=100)
    owner = forms.ModelChoiceField(
        label="Acts as",
        queryset=User.objects.none(),
        empty_label=None,
        help_text="The token can do no more than this member of staff can in the desk.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=[(s.value, s.value) for s in tokens.Scope],
        widget=forms.CheckboxSelectMultiple,
        initial=[tokens.Scope.READ.value],
        help_text="read: every GET. write: open and work cases. letters: generate letters "
        "and mark them sent. admin: the team.",
    )
    expires_at = forms.DateTimeField(
        label="Expires (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="In the organisation's time zone. Empty: never.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = staff_members(organisation=organisation).filter(is_active=True)
        self.zone = ZoneInfo(organisation.time_zone)

    def full_clean(self) -> None:
        with timezone.override(self.zone):
            super().full_clean()


def _admin(request: HttpRequest) -> tuple[Organisation, User]:
    user = request.user
    org: Organisation | None = getattr(user, "organisation", None)
    if org is None or not user.has_perm(tokens.MANAGE):
        raise PermissionDenied("Only admins manage API tokens.")
    assert isinstance(user, User)
    return org, user


def _page(request: HttpRequest, org: Organisation, form: TokenForm, **extra: Any) -> HttpResponse:
    context = {
        "organisation": org,
        "tokens": tokens.token_list(organisation=org),
        "form": form,
        "now": timezone.now(),
        **extra,
    }
    return render(request, "api/tokens.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@recent_password_required(tokens.MANAGE)
def tokens_view(request: HttpRequest) -> HttpResponse:
    org, admin = _admin(request)
    if request.method != "POST":
        return _page(request, org, TokenForm(organisation=org))
    form = TokenForm(request.POST, organisation=org)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = tokens.token_create(
                organisation=org,
                owner=data["owner"],
                name=data["name"],
                scopes=data["scopes"],
                expires_at=data["expires_at"],
                actor=admin,
                now=timezone.now(),
            )
        except FieldErrors as exc:
            for field, problem in exc.errors.items():
                form.add_error(field if field in form.fields else None, problem)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _page(request, org, TokenForm(organisation=org), made=made)
    return _page(request, org, form)


@login_required
@require_POST
@recent_password_required(tokens.MANAGE, back=lambda prefix: reverse("api_desk:tokens"))
def token_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    org, admin = _admin(request)
    try:
        token = tokens.token_revoke(
            organisation=org, prefix=prefix, actor=admin, now=timezone.now()
        )
    except tokens.TokenNotFound:
        raise Http404(f"No token {prefix} in {org.name}.") from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked {token.prefix} ({token.name}).")
    return redirect("api_desk:tokens")
