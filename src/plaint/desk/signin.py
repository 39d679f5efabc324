"""Signing in to the desk, and confirming the password again before an admin action.

The sign-in page is Django's `LoginView`, which also records when the password was given
(`plaint.accounts.reauth`) and says so when the idle timeout ended the last session. The
confirm page takes the signed-in member's password and sends them back to where they were
going (an address on this site only; anything else goes to the queue)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from plaint.accounts import reauth
from plaint.desk.twofactor_views import signin_second_step


class SignInView(LoginView):
    template_name = "desk/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = self.request.session.pop(reauth.SIGNED_OUT_IDLE, None)
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        # Members with an authenticator give a code before they are signed in.
        second = signin_second_step(self.request, form.get_user(), next_url=self.get_success_url())
        if second is not None:
            return second
        response = super().form_valid(form)  # signs in on a new session key
        reauth.mark_authenticated(self.request, now=timezone.now())
        return response


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autofocus": True})
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def password_confirm_view(request: HttpRequest) -> HttpResponse:
    target = _next(request)
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        user = authenticate(
            request,
            username=request.user.get_username(),
            password=form.cleaned_data["password"],
        )
        if user is not None and user.pk == request.user.pk:
            reauth.mark_authenticated(request, now=timezone.now())
            return redirect(target)
        form.add_error("password", "That is not your password. Nothing was done; try again.")
    if form.is_bound:
        status = 400
    context = {
        "form": form,
        "next": target,
        "minutes": settings.PLAINT_REAUTH_MINUTES,
        "messages_shown": messages.get_messages(request),
    }
    return render(request, "desk/password_confirm.html", context, status=status)
